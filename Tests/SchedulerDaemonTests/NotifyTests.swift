import AsyncHTTPClient
import Foundation
import Logging
import MangroveAPI
import MangroveClient
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Synchronization
import Testing

/// What the daemon tells systemd: READY before any API call, a STATUS line, STOPPING on
/// shutdown, and watchdog pings from the loop.
@Suite("systemd notifications")
struct NotifyTests {
    static let ledgers = [
        Fixture.ledgerJSON("lgr_notify1", cadence: "monthly", first: "2026-09-01"),
        Fixture.ledgerJSON("lgr_notify2", cadence: "weekly", first: "2026-11-02"),
    ]

    static func isReady(_ m: RecordingNotifier.Message) -> Bool { if case .ready = m { true } else { false } }

    /// Forwards to the simulator and notes, for every call, whether READY=1 had been sent.
    final class ReadyCheckingAPI: BatchAPI {
        let inner: any BatchAPI
        let notifier: RecordingNotifier
        let calls = Mutex<[(String, Bool)]>([])

        init(inner: any BatchAPI, notifier: RecordingNotifier) {
            self.inner = inner
            self.notifier = notifier
        }

        private func note(_ call: String) {
            let ready = notifier.messages.contains(where: NotifyTests.isReady)
            calls.withLock { $0.append((call, ready)) }
        }

        func ledgers() async throws -> [Ledger] { note("ledgers"); return try await inner.ledgers() }
        func requiredInputs(ledgerID: String) async throws -> [RequiredInput] {
            note("required_inputs"); return try await inner.requiredInputs(ledgerID: ledgerID)
        }
        func generatePreview(ledgerID: String, request: BatchGenerationRequest) async throws -> [PreviewEntry] {
            note("generate_preview"); return try await inner.generatePreview(ledgerID: ledgerID, request: request)
        }
        func createBatchGeneration(ledgerID: String, request: BatchGenerationRequest) async throws -> AsyncTask {
            note("batch_generations"); return try await inner.createBatchGeneration(ledgerID: ledgerID, request: request)
        }
        func asyncTask(id: Int) async throws -> AsyncTask { note("async_task"); return try await inner.asyncTask(id: id) }
        func batches(ledgerID: String) async throws -> [Batch] { note("batches"); return try await inner.batches(ledgerID: ledgerID) }
    }

    @Test("READY=1 is the first message and is sent before any API call")
    func readyBeforeAPI() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_notify1"), Fixture.ledger("lgr_notify2")]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: Self.ledgers)
            let notifier = RecordingNotifier()
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let api = ReadyCheckingAPI(
                inner: HTTPBatchAPI(configuration: .init(baseURL: h.sim.baseURL), token: APIToken(h.sim.config.token), httpClient: client, logger: Logger(label: "test")),
                notifier: notifier)
            var daemon = h.daemon(notifier: notifier)
            daemon.api = api
            let (scheduler, _) = try daemon.prepare()
            let run = Task { try await scheduler.run() }
            await scheduler.waitUntilRunning()
            // Until the loop's network calls return, let them run: a few real milliseconds at most.
            for _ in 0..<200 where api.calls.withLock({ $0.isEmpty }) { try await Task.sleep(for: .milliseconds(5)) }
            await scheduler.settle()
            run.cancel()
            _ = try? await run.value
            try await client.shutdown()
            let calls = api.calls.withLock { $0 }
            #expect(!calls.isEmpty, "the daemon made no API call")
            #expect(calls.allSatisfy { $0.1 }, "API calls before READY=1: \(calls.filter { !$0.1 }.map(\.0))")
            #expect(notifier.messages.first.map(Self.isReady) == true)
            // READY carries the status line, which counts the ledgers.
            if case .ready(let status)? = notifier.messages.first {
                #expect(status?.hasPrefix("2 ledgers") == true)
            }
        }
    }

    @Test("READY=1 comes first; STATUS names the ledger count; stop() sends STOPPING=1")
    func statusAndStopping() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_notify1"), Fixture.ledger("lgr_notify2")]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: Self.ledgers)
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier)
            #expect(notifier.messages.first.map(Self.isReady) == true)
            #expect(notifier.messages.filter(Self.isReady).count == 1)
            await running.drive { Fixture.allTerminal($0, ledger: "lgr_notify1", count: 2) && Fixture.allTerminal($0, ledger: "lgr_notify2", count: 3) }
            #expect(!notifier.messages.contains(.stopping))
            try await running.stop()
            let messages = notifier.messages
            let statuses = messages.compactMap { if case .status(let s) = $0 { s } else { nil } }
            #expect(!statuses.isEmpty)
            #expect(statuses.allSatisfy { $0.hasPrefix("2 ledgers") || $0 == "stopping" }, "\(statuses)")
            #expect(statuses.contains { $0.contains("in flight") })
            #expect(messages.contains(.stopping))
            #expect(messages.filter { $0 == .stopping }.count == 1)
        }
    }

    @Test("with a watchdog interval, the scheduling loop sends WATCHDOG=1 while it runs")
    func watchdog() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_notify1"), Fixture.ledger("lgr_notify2")]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: Self.ledgers)
            let notifier = RecordingNotifier(watchdogInterval: .milliseconds(50))
            let running = try await h.launch(notifier: notifier)
            await running.drive { Fixture.allTerminal($0, ledger: "lgr_notify1", count: 2) && Fixture.allTerminal($0, ledger: "lgr_notify2", count: 3) }
            // Idle (nothing due for days), the loop still wakes itself for the watchdog.
            let idle = notifier.messages.filter { $0 == .watchdog }.count
            var idlePinged = false
            for _ in 0..<200 where !idlePinged {
                h.clock.advance(by: 0.05)
                try await Task.sleep(for: .milliseconds(5))
                idlePinged = notifier.messages.filter { $0 == .watchdog }.count > idle
            }
            #expect(idlePinged, "no WATCHDOG=1 while the loop was idle")
            try await running.stop()
            let messages = notifier.messages
            let pings = messages.indices.filter { messages[$0] == .watchdog }
            // At least one ping while working and one more while idle (pings may be rate-limited in real time).
            #expect(pings.count >= 2, "only \(pings.count) watchdog pings")
            if let firstReady = messages.firstIndex(where: Self.isReady), let firstPing = pings.first {
                #expect(firstReady < firstPing, "WATCHDOG=1 before READY=1")
            }
        }
    }

    @Test("STATUS counts failed periods, also after a restart")
    func statusCountsFailures() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_notify1")], failureRate: 1), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [Fixture.ledgerJSON("lgr_notify1", cadence: "monthly", first: "2026-09-01")],
                extra: #""recovery": {"failed_task_retries": 0}"#)
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier)
            await running.drive { Fixture.allTerminal($0, ledger: "lgr_notify1", count: 2) }
            try await running.stop()
            let statuses = notifier.messages.compactMap { if case .status(let s) = $0 { s } else { nil } }
            #expect(statuses.contains { $0.contains("2 failed") }, "\(statuses)")
            // A restarted daemon recounts from the journal and says so in READY's status.
            let restarted = RecordingNotifier()
            let second = try await h.launch(notifier: restarted)
            try await second.stop()
            if case .ready(let status)? = restarted.messages.first {
                #expect(status?.contains("2 failed") == true, "READY status: \(status ?? "none")")
            } else {
                Issue.record("READY=1 was not the first message after the restart")
            }
        }
    }

    @Test("stopping while a POST awaits its answer: STOPPING=1, the task id is journaled, and the restarted daemon polls it instead of POSTing again")
    func stopWithPostInFlight() async throws {
        let faults = [FaultRule(match: FaultMatcher(method: "POST", endpoint: .batchGenerations), kind: .latency(milliseconds: 150), count: 1)]
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_notify3")], faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_notify3", cadence: "monthly", first: "2026-10-01")])
            let period = try #require(Fixture.due(h.schedulePath, ledger: "lgr_notify3", at: Fixture.now).first)
            let notifier = RecordingNotifier()
            let first = try await h.launch(notifier: notifier)
            // Wait (bounded) until the POST is on its way (the simulator holds it 150 ms), then stop.
            for _ in 0..<500 where try !Fixture.events(h.journalPath, ledger: "lgr_notify3", start: period.startTime).contains("intent") {
                try await Task.sleep(for: .milliseconds(2))
            }
            try await first.stop()
            #expect(notifier.messages.contains(.stopping))
            let events = try Fixture.events(h.journalPath, ledger: "lgr_notify3", start: period.startTime)
            #expect(events == ["intent", "fired"], "journal after the stop: \(events)")
            let second = try await h.launch()
            let state = await second.drive { Fixture.allTerminal($0, ledger: "lgr_notify3", count: 1) }
            try await second.stop()
            let record = try #require(state.record(PeriodKey(ledgerID: "lgr_notify3", periodStart: period.startTime)))
            #expect(record.lastEvent == .completed)
            #expect(record.attempts == 1)
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_notify3").count == 1)
        }
    }
}
