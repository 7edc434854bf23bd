import Foundation
import Logging
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import Systemd

/// Requests per generation and lateness (how long after a task finished the poll that
/// saw it came) for tasks of 10 s, 60 s, 300 s and 1800 s with steady progress, and with
/// progress stuck then jumping, side by side for:
///
/// - `PollSchedule` (this daemon's poll math, fed `started_at` and the ledger's history,
///   as the core's `PeriodRun` runs it), simulated against the simulator's progress model;
/// - the daemon end to end: the real scheduler against the simulator in virtual time, as
///   wired today (it counts every API request: POST, polls and listings);
/// - the backoff this daemon used before (2 s ×2 ≤ 60 s, jitter −20 %);
/// - fixed 2 s polling;
/// - Google's long-running-operation default (5 s ×1.5 ≤ 45 s).
///
/// Requests of the simulated policies are one POST plus the polls; each row is `periods`
/// generations of one ledger in a row, so the history builds up as it would.
struct PollingBench {
    let durations: [Double]
    let periods: Int

    enum Policy: String, CaseIterable {
        case schedule = "this daemon: PollSchedule"
        case endToEnd = "this daemon: end to end"
        case before = "before: backoff 2 s ×2 ≤ 60 s"
        case fixed = "fixed 2 s"
        case googleLRO = "Google LRO 5 s ×1.5 ≤ 45 s"
    }

    struct Result {
        var requestsPerGeneration: Double
        var late: [Double]
        var average: Double { late.reduce(0, +) / Double(max(late.count, 1)) }
        var p90: Double {
            guard !late.isEmpty else { return 0 }
            let sorted = late.sorted()
            return sorted[min(sorted.count - 1, Int((Double(sorted.count) * 0.9).rounded(.up)) - 1)]
        }
    }

    func run() async throws -> [(String, String)] {
        var lines: [String] = []
        func cell(_ s: String, _ width: Int) -> String { s.padding(toLength: width, withPad: " ", startingAt: 0) }
        lines.append(cell("task", 22) + cell("policy", 32) + cell("requests/gen", 14) + cell("late avg", 10) + "late p90")
        lines.append(String(repeating: "-", count: 88))
        for profile in TaskProgressProfile.allCases {
            for seconds in durations {
                for policy in Policy.allCases {
                    let r: Result
                    if policy == .endToEnd {
                        r = try await endToEnd(seconds: seconds, profile: profile)
                    } else {
                        r = simulate(policy, seconds: seconds, profile: profile)
                    }
                    lines.append(
                        cell("\(Int(seconds)) s \(profile.rawValue)", 22) + cell(policy.rawValue, 32)
                            + cell(String(format: "%.2f", r.requestsPerGeneration), 14)
                            + cell(String(format: "%.1f s", r.average), 10) + String(format: "%.1f s", r.p90))
                }
            }
        }
        print("\npolling: \(periods) generations per row, one ledger, tasks without a pending phase\n" + lines.joined(separator: "\n"))
        return [("polling", "table above (\(periods) generations per row)")]
    }

    /// One ledger's `periods` generations under `policy`, against the simulator's progress model.
    func simulate(_ policy: Policy, seconds: Double, profile: TaskProgressProfile) -> Result {
        var rng = SystemRandomNumberGenerator()
        var history = RecentDurations()
        var late: [Double] = []
        var requests = 0
        let fired = Date(timeIntervalSince1970: 1_790_000_000)
        let polling = PollingPolicy()
        for _ in 0..<periods {
            requests += 1  // the POST
            var schedule = PollSchedule(firedAt: fired, recentDurations: history.values)
            var at = policy == .googleLRO ? 5.0 : 2.0
            var n = 0
            while true {
                requests += 1
                n += 1
                if at >= seconds { break }
                let now = fired.addingTimeInterval(at)
                switch policy {
                case .schedule, .endToEnd:
                    let progress = profile.percent(atFraction: at / seconds)
                    schedule.observe(progress: progress, startedAt: fired, at: now)
                    at = schedule.next(now: now, policy: polling, using: &rng).at.timeIntervalSince(fired)
                case .before:
                    at += Backoff(initial: .seconds(2), cap: .seconds(60), jitter: .proportional(0.2)).delay(forAttempt: n, using: &rng).seconds
                case .fixed:
                    at += 2
                case .googleLRO:
                    at += min(5 * pow(1.5, Double(n)), 45)
                }
            }
            late.append(at - seconds)
            history.append(at)
        }
        return Result(requestsPerGeneration: Double(requests) / Double(periods), late: late)
    }

    /// The real daemon and simulator in virtual time.
    private func endToEnd(seconds: Double, profile: TaskProgressProfile) async throws -> Result {
        let start = UTCTimestamp.parse("2026-11-23T12:00:00Z")!
        let clock = VirtualClock(now: start)
        let folder = NSTemporaryDirectory() + "/mangrove-bench-poll-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = SimulatorConfig(taskPendingSeconds: 0, taskDurationSeconds: seconds, taskProgress: profile)
        var quiet = Logger(label: "bench")
        quiet.logLevel = .critical
        let logger = quiet
        let periods = self.periods
        return try await withSimulator(config: config, now: { clock.now() }, logger: logger) { sim in
            let schedulePath = folder + "/schedule.json"
            let first = UTCTimestamp.format(start.addingTimeInterval(-Double(periods) * 86_400 - 3600)).prefix(10)
            let schedule = """
                {"api": {"base_url": "\(sim.baseURL)"}, "journal_path": "journal.jsonl",
                 "ledgers": [{"id": "lgr_abc123def456", "cadence": "daily", "first_period_start": "\(first)"}]}
                """
            try schedule.write(toFile: schedulePath, atomically: true, encoding: .utf8)
            let daemon = Daemon(
                configPath: schedulePath, environment: ["MANGROVE_API_TOKEN": sim.config.token], logger: logger,
                notifier: SystemdNotifier(environment: [:]), clock: clock, handleSignals: false,
                apiSleep: { clock.advance(by: $0.seconds) })
            let (scheduler, client) = try daemon.prepare()
            let state: JournalState = await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await scheduler.run() }
                await scheduler.waitUntilRunning()
                var state = JournalState()
                for _ in 0..<1_000_000 {
                    await scheduler.poke()
                    await scheduler.settle()
                    let snapshot = await scheduler.snapshot
                    state = snapshot.state
                    let records = state.records(ledgerID: "lgr_abc123def456").values
                    if records.count >= periods, records.allSatisfy(\.isTerminal) { break }
                    guard let next = snapshot.nextWakeup else { break }
                    clock.advance(to: max(next, clock.now()))
                }
                group.cancelAll()
                try? await group.waitForAll()
                return state
            }
            try? await client?.shutdown()
            let records = state.records(ledgerID: "lgr_abc123def456").values.filter { $0.lastEvent == .completed }
            let requests = await sim.requests().filter { $0.path.hasPrefix("/api/v1/") }.count
            let late = records.compactMap { r in r.firedAt.map { r.lastTime.timeIntervalSince($0) - seconds } }
            return Result(requestsPerGeneration: Double(requests) / Double(max(records.count, 1)), late: late)
        }
    }
}
