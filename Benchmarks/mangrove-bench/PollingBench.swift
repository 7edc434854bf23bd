import Foundation
import Logging
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import Systemd

/// Requests per completed generation when each task runs `taskSeconds`: the daemon's
/// backoff polling (2 s doubling to 60 s) against fixed 2 s polling, both through the real
/// daemon and simulator in virtual time.
struct PollingBench {
    let taskSeconds: Double
    let periods: Int

    func run() async throws -> [(String, String)] {
        let adaptive = try await measure(polling: #"{"first_poll_after": "PT2S", "max_interval": "PT60S"}"#)
        let fixed = try await measure(polling: #"{"first_poll_after": "PT2S", "max_interval": "PT2S"}"#)
        return [
            ("polling: task duration", "\(Int(taskSeconds)) s, \(periods) generations"),
            ("polling: backoff 2 s→60 s, requests/generation", String(format: "%.1f (latency after done: %.0f s avg)", adaptive.perGeneration, adaptive.lag)),
            ("polling: fixed 2 s, requests/generation", String(format: "%.1f (latency after done: %.0f s avg)", fixed.perGeneration, fixed.lag)),
        ]
    }

    private func measure(polling: String) async throws -> (perGeneration: Double, lag: Double) {
        let start = UTCTimestamp.parse("2026-11-23T12:00:00Z")!
        let clock = VirtualClock(now: start)
        let folder = NSTemporaryDirectory() + "/mangrove-bench-poll-\(getpid())-\(UInt32.random(in: 0...UInt32.max))"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let config = SimulatorConfig(taskPendingSeconds: 0, taskDurationSeconds: taskSeconds)
        var quiet = Logger(label: "bench")
        quiet.logLevel = .critical
        let logger = quiet
        let periods = self.periods
        return try await withSimulator(config: config, now: { clock.now() }, logger: logger) { sim in
            let schedulePath = folder + "/schedule.json"
            let first = UTCTimestamp.format(start.addingTimeInterval(-Double(periods) * 86_400 - 3600)).prefix(10)
            let schedule = """
                {"api": {"base_url": "\(sim.baseURL)"}, "journal_path": "journal.jsonl", "polling": \(polling),
                 "ledgers": [{"id": "lgr_abc123def456", "cadence": "daily", "first_period_start": "\(first)"}]}
                """
            try schedule.write(toFile: schedulePath, atomically: true, encoding: .utf8)
            let daemon = Daemon(
                configPath: schedulePath, environment: ["MANGROVE_API_TOKEN": sim.config.token], logger: logger,
                notifier: SystemdNotifier(environment: [:]), clock: clock, handleSignals: false,
                apiSleep: { clock.advance(by: $0.seconds) })
            let (scheduler, client) = try daemon.prepare()
            let state: JournalState = try await withThrowingTaskGroup(of: Void.self) { group in
                group.addTask { try await scheduler.run() }
                await scheduler.waitUntilRunning()
                var state = JournalState()
                for _ in 0..<100_000 {
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
            let lag = records.compactMap { r in r.firedAt.map { r.lastTime.timeIntervalSince($0) - taskSeconds } }
            return (Double(requests) / Double(max(records.count, 1)), lag.reduce(0, +) / Double(max(lag.count, 1)))
        }
    }
}
