import Foundation
import Logging
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import Systemd

/// API requests per completed generation with the look-before-you-fire check, through the
/// real daemon and simulator in virtual time: steady state (one daily period due, after a
/// history of `history` generated periods) and catch-up (`catchUp` periods due at once).
struct RequestsBench {
    let catchUp: Int
    let history: Int
    let taskSeconds: Double

    func run() async throws -> [(String, String)] {
        let steady = try await measure(due: history, thenOneMore: true)
        let burst = try await measure(due: catchUp, thenOneMore: false)
        func row(_ r: Counts) -> String {
            String(format: "%.2f (listings %.2f, POSTs %.2f, polls %.2f)", r.perGeneration, r.per(r.listings), r.per(r.posts), r.per(r.polls))
        }
        return [
            ("requests: task duration", "\(Int(taskSeconds)) s, daily ledger"),
            ("requests: steady state (1 due), per generation", row(steady)),
            ("requests: catch-up (\(catchUp) due), per generation", row(burst)),
        ]
    }

    struct Counts {
        var generations = 0
        var total = 0
        var listings = 0
        var posts = 0
        var polls = 0
        func per(_ n: Int) -> Double { Double(n) / Double(max(generations, 1)) }
        var perGeneration: Double { per(total) }
    }

    private func measure(due: Int, thenOneMore: Bool) async throws -> Counts {
        let start = UTCTimestamp.parse("2026-11-23T00:00:30Z")!
        let clock = VirtualClock(now: start)
        let folder = NSTemporaryDirectory() + "/mangrove-bench-req-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = SimulatorConfig(taskPendingSeconds: 0, taskDurationSeconds: taskSeconds)
        var quiet = Logger(label: "bench")
        quiet.logLevel = .critical
        let logger = quiet
        let ledger = "lgr_abc123def456"
        return try await withSimulator(config: config, now: { clock.now() }, logger: logger) { sim in
            let schedulePath = folder + "/schedule.json"
            let first = UTCTimestamp.format(start.addingTimeInterval(-Double(due) * 86_400)).prefix(10)
            try """
                {"api": {"base_url": "\(sim.baseURL)"}, "journal_path": "journal.jsonl",
                 "limits": {"requests_per_second": 1000},
                 "ledgers": [{"id": "\(ledger)", "cadence": "daily", "first_period_start": "\(first)"}]}
                """.write(toFile: schedulePath, atomically: true, encoding: .utf8)
            let daemon = Daemon(
                configPath: schedulePath, environment: ["MANGROVE_API_TOKEN": sim.config.token], logger: logger,
                notifier: SystemdNotifier(environment: [:]), clock: clock, handleSignals: false,
                apiSleep: { clock.advance(by: $0.seconds) })
            let (scheduler, client) = try daemon.prepare()
            await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await scheduler.run() }
                await scheduler.waitUntilRunning()
                func drive(until count: Int) async {
                    for _ in 0..<200_000 {
                        await scheduler.poke()
                        await scheduler.settle()
                        let snapshot = await scheduler.snapshot
                        let records = snapshot.state.records(ledgerID: ledger).values
                        if records.count >= count, records.allSatisfy(\.isTerminal) { return }
                        guard let next = snapshot.nextWakeup else { return }
                        clock.advance(to: max(next, clock.now()))
                    }
                }
                await drive(until: due)
                if thenOneMore {
                    await sim.clearRequests()
                    clock.advance(to: start.addingTimeInterval(86_400))
                    await drive(until: due + 1)
                }
                group.cancelAll()
                try? await group.waitForAll()
            }
            try? await client?.shutdown()
            let requests = await sim.requests().filter { $0.path.hasPrefix("/api/v1/") }
            var counts = Counts()
            counts.generations = thenOneMore ? 1 : due
            counts.total = requests.count
            counts.listings = requests.filter { $0.endpoint == .ledgerBatches }.count
            counts.posts = requests.filter { $0.endpoint == .batchGenerations }.count
            counts.polls = requests.filter { $0.endpoint == .asyncTask }.count
            return counts
        }
    }
}
