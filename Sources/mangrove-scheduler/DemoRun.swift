import Foundation
import Logging
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import Systemd

/// Runs the real daemon code against the in-process simulator in virtual time until
/// every period due at `start` is terminal, then summarises the journal.
struct DemoRun {
    let folder: String
    let start: Date

    static func schedule(baseURL: String) -> String {
        """
        {
          "api": { "base_url": "\(baseURL)" },
          "journal_path": "journal.jsonl",
          "limits": { "max_in_flight": 3, "requests_per_second": 50 },
          "ledgers": [
            { "id": "lgr_demo_monthly", "cadence": "monthly", "time_zone": "Europe/Berlin",
              "first_period_start": "2025-01-01", "settle_delay": "PT6H" },
            { "id": "lgr_demo_quarterly", "cadence": "quarterly", "time_zone": "Australia/Sydney",
              "first_period_start": "2025-01-01", "settle_delay": "P1D" },
            { "id": "lgr_demo_daily", "cadence": "daily", "time_zone": "America/New_York",
              "first_period_start": "2025-01-01", "settle_delay": "PT2H" }
          ]
        }
        """
    }

    func run() async throws -> String {
        let clock = VirtualClock(now: start)
        let logger = Logger(label: "mangrove-scheduler")
        let folder = self.folder
        let start = self.start
        return try await withSimulator(config: .demo, now: { clock.now() }) { sim in
            let schedulePath = (folder as NSString).appendingPathComponent("schedule.json")
            try Self.schedule(baseURL: sim.baseURL).write(toFile: schedulePath, atomically: true, encoding: .utf8)
            let daemon = Daemon(
                configPath: schedulePath, environment: ["MANGROVE_API_TOKEN": sim.config.token], logger: logger,
                notifier: SystemdNotifier(environment: [:]), clock: clock, handleSignals: false)
            let (scheduler, httpClient) = try daemon.prepare()
            let schedule = try ScheduleFile.load(path: schedulePath).schedule
            let began = ContinuousClock.now
            let finalState: JournalState = await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await scheduler.run() }
                await scheduler.waitUntilRunning()
                var state = JournalState()
                for _ in 0..<500_000 {
                    await scheduler.poke()
                    await scheduler.settle()
                    let snapshot = await scheduler.snapshot
                    state = snapshot.state
                    if Self.allDone(schedule, state, at: start) { break }
                    guard let next = snapshot.nextWakeup else { break }
                    clock.advance(to: max(next, clock.now()))
                }
                group.cancelAll()
                try? await group.waitForAll()
                return state
            }
            try? await httpClient?.shutdown()
            let requests = await sim.requests()
            let elapsed = began.duration(to: .now)
            return Self.summary(
                schedule: schedule, state: finalState, start: start, journal: schedule.journalPath, requests: requests.count,
                posts: requests.filter { $0.method == "POST" && $0.path.hasSuffix("/batch_generations") }.count,
                virtual: clock.now().timeIntervalSince(start), real: elapsed)
        }
    }

    static func allDone(_ schedule: Schedule, _ state: JournalState, at now: Date) -> Bool {
        schedule.ledgers.allSatisfy { ledger in
            LedgerPlanner(ledger: ledger, records: state.records(ledgerID: ledger.id))
                .duePeriods(records: state.records(ledgerID: ledger.id), now: now, limit: 1).isEmpty
        }
    }

    static func summary(schedule: Schedule, state: JournalState, start: Date, journal: String, requests: Int, posts: Int, virtual: TimeInterval, real: Duration) -> String {
        let complete = allDone(schedule, state, at: start)
        var out = complete
            ? "mangrove-scheduler demo: every period closed before now, generated once against the built-in simulator\n\n"
            : "mangrove-scheduler demo: STOPPED EARLY, some closed periods are not terminal (see the table and the journal)\n\n"
        out += "ledger               cadence    time zone          periods  completed  failed  ambiguous  other\n"
        for ledger in schedule.ledgers {
            let records = state.records(ledgerID: ledger.id).values
            let count = { (e: JournalEvent) in records.filter { $0.lastEvent == e }.count }
            let other = records.count - count(.completed) - count(.failed) - count(.ambiguous)
            out += ledger.id.padding(toLength: 21, withPad: " ", startingAt: 0)
            out += ledger.cadence.rawValue.padding(toLength: 11, withPad: " ", startingAt: 0)
            out += ledger.timeZone.identifier.padding(toLength: 19, withPad: " ", startingAt: 0)
            out += String(records.count).padding(toLength: 9, withPad: " ", startingAt: 0)
            out += String(count(.completed)).padding(toLength: 11, withPad: " ", startingAt: 0)
            out += String(count(.failed)).padding(toLength: 8, withPad: " ", startingAt: 0)
            out += String(count(.ambiguous)).padding(toLength: 11, withPad: " ", startingAt: 0)
            out += "\(other)\n"
        }
        let seconds = Double(real.components.seconds) + Double(real.components.attoseconds) / 1e18
        out += "\n\(posts) generations POSTed, \(requests) API requests; \(Int(virtual / 60)) virtual minutes in \(String(format: "%.1f", seconds)) s\n"
        out += "journal: \(journal)\n"
        let executable = (CommandLine.arguments.first.map { ($0 as NSString).lastPathComponent == $0 ? "mangrove-scheduler" : $0 }) ?? "mangrove-scheduler"
        let schedulePath = "\((journal as NSString).deletingLastPathComponent)/schedule.json"
        out += "inspect: \(executable) journal --config \(schedulePath)\n"
        out += "         \(executable) plan --config \(schedulePath)\n"
        return out
    }
}
