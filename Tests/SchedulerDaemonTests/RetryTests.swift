import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// Operator retries (`mangrove-scheduler retry`): a request file plus SIGHUP makes the
/// daemon generate an ambiguous or failed period once more, and nothing else.
@Suite("Operator retries")
struct RetryTests {
    static let ledger = "lgr_retry1"

    @Test("a retry request for an ambiguous period is journaled and the period is generated once more")
    func retryAmbiguous() async throws {
        try await Self.withFirstPOSTFailing { h, period, key in
            let running = try await h.launch()
            let first = await running.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 1) }
            #expect(first.record(key)?.lastEvent == .ambiguous)
            let eventsBefore = try Fixture.events(h.journalPath, ledger: Self.ledger, start: period.startTime)

            try RetryRequestFile.append(RetryRequest(ledgerID: Self.ledger, periodStart: period.startTime), journalPath: h.journalPath, now: h.clock.now())
            await running.scheduler.requestReload()
            let final = await running.drive { $0.record(key)?.lastEvent == .completed }
            try await running.stop()
            let record = try #require(final.record(key))
            #expect(record.lastEvent == .completed)
            #expect(record.attempts == 2)
            let events = try Fixture.events(h.journalPath, ledger: Self.ledger, start: period.startTime)
            let after = Array(events.dropFirst(eventsBefore.count))
            #expect(after.first == "retry_requested")
            #expect(after.dropFirst().first == "intent")
            #expect(after.contains("fired"))
            #expect(after.last == "completed")
            let attempts = try Fixture.journalLines(h.journalPath).filter { $0["event"] as? String == "intent" }.compactMap { $0["attempt"] as? Int }
            #expect(attempts == [1, 2])
            let requests = await h.sim.requests()
            #expect(Fixture.posts(requests, ledger: Self.ledger).count == 2)
            #expect(Fixture.processedPosts(requests, ledger: Self.ledger) == [period.startTime: 1])
            #expect(!FileManager.default.fileExists(atPath: RetryRequestFile.path(journalPath: h.journalPath)), "the request file was not consumed")
        }
    }

    @Test("a retry request for a completed period is ignored: no journal line, no POST")
    func retryCompletedIgnored() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON(Self.ledger, cadence: "monthly", first: "2026-10-01")])
            let period = try #require(Fixture.due(h.schedulePath, ledger: Self.ledger, at: Fixture.now).first)
            let running = try await h.launch()
            await running.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 1) }
            let linesBefore = try Fixture.journalLines(h.journalPath).count
            try RetryRequestFile.append(RetryRequest(ledgerID: Self.ledger, periodStart: period.startTime), journalPath: h.journalPath, now: h.clock.now())
            await running.scheduler.requestReload()
            await running.drive(maxVirtualSeconds: 3600) { _ in false }
            try await running.stop()
            #expect(try Fixture.journalLines(h.journalPath).count == linesBefore)
            #expect(Fixture.posts(await h.sim.requests(), ledger: Self.ledger).count == 1)
            #expect(!FileManager.default.fileExists(atPath: RetryRequestFile.path(journalPath: h.journalPath)))
        }
    }

    @Test("a retry request written while the daemon is stopped is applied at start-up")
    func retryAtStartUp() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)], failureRate: 1), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [Fixture.ledgerJSON(Self.ledger, cadence: "monthly", first: "2026-10-01")],
                extra: #""recovery": {"failed_task_retries": 0}"#)
            let period = try #require(Fixture.due(h.schedulePath, ledger: Self.ledger, at: Fixture.now).first)
            let key = PeriodKey(ledgerID: Self.ledger, periodStart: period.startTime)
            let first = try await h.launch()
            let failed = await first.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 1) }
            try await first.stop()
            #expect(failed.record(key)?.lastEvent == .failed)
            try RetryRequestFile.append(RetryRequest(ledgerID: Self.ledger, periodStart: period.startTime), journalPath: h.journalPath, now: h.clock.now())
            let second = try await h.launch()
            let final = await second.drive { s in s.record(key).map { $0.attempts == 2 && $0.isTerminal } ?? false }
            try await second.stop()
            #expect(final.record(key)?.attempts == 2)
            #expect(final.record(key)?.lastEvent == .failed)
            #expect(try Fixture.events(h.journalPath, ledger: Self.ledger, start: period.startTime).contains("retry_requested"))
            #expect(Fixture.posts(await h.sim.requests(), ledger: Self.ledger).count == 2)
        }
    }

    @Test("a retry request that arrives while a later period of the ledger is running is carried out after it")
    func retryWhileLedgerBusy() async throws {
        let faults = [FaultRule(match: FaultMatcher(method: "POST", endpoint: .batchGenerations), kind: .internalServerError, count: 1)]
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)], duration: 1800, faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [Fixture.ledgerJSON(Self.ledger, cadence: "monthly", first: "2026-09-01")],
                extra: #""recovery": {"reconcile_after": "PT30S", "reconcile_window": "PT5M"}"#)
            let due = try Fixture.due(h.schedulePath, ledger: Self.ledger, at: Fixture.now)
            #expect(due.count == 2)
            let september = PeriodKey(ledgerID: Self.ledger, periodStart: due[0].startTime)
            let october = PeriodKey(ledgerID: Self.ledger, periodStart: due[1].startTime)
            let running = try await h.launch()
            await running.drive { s in s.record(september)?.lastEvent == .ambiguous && s.record(october)?.taskID != nil }
            try RetryRequestFile.append(RetryRequest(ledgerID: Self.ledger, periodStart: due[0].startTime), journalPath: h.journalPath, now: h.clock.now())
            await running.scheduler.requestReload()
            let final = await running.drive { s in s.record(september)?.lastEvent == .completed && s.record(october)?.lastEvent == .completed }
            try await running.stop()
            #expect(final.record(september)?.lastEvent == .completed)
            #expect(final.record(september)?.attempts == 2)
            #expect(final.record(october)?.lastEvent == .completed)
            let requests = await h.sim.requests()
            #expect(Fixture.processedPosts(requests, ledger: Self.ledger) == [due[0].startTime: 1, due[1].startTime: 1])
            // The retried period waited for the running one: its POST came after October's task ended.
            let posts = Fixture.requests(requests, .batchGenerations, ledger: Self.ledger)
            #expect(posts.map { $0.generationRequest?.startTime } == [due[0].startTime, due[1].startTime, due[0].startTime])
        }
    }

    @Test("once a retried period completes, STATUS no longer counts it as failed")
    func statusAfterSuccessfulRetry() async throws {
        try await Self.withFirstPOSTFailing { h, period, key in
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier)
            await running.drive { $0.record(key)?.lastEvent == .ambiguous }
            #expect(Self.lastStatus(notifier)?.contains("1 failed") == true)
            try RetryRequestFile.append(RetryRequest(ledgerID: Self.ledger, periodStart: period.startTime), journalPath: h.journalPath, now: h.clock.now())
            await running.scheduler.requestReload()
            await running.drive { $0.record(key)?.lastEvent == .completed }
            let status = Self.lastStatus(notifier)
            try await running.stop()
            #expect(status?.contains("failed") == false, "STATUS after the successful retry: \(status ?? "none")")
        }
    }

    /// A monthly ledger from 2026-10-01 whose first POST gets a 500, so its first due
    /// period ends `ambiguous` (reconciled after 30 s, within 5 min); `body` gets that period.
    static func withFirstPOSTFailing(_ body: @Sendable (DaemonHarness, Period, PeriodKey) async throws -> Void) async throws {
        let faults = [FaultRule(match: FaultMatcher(method: "POST", endpoint: .batchGenerations), kind: .internalServerError, count: 1)]
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)], faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [Fixture.ledgerJSON(Self.ledger, cadence: "monthly", first: "2026-10-01")],
                extra: #""recovery": {"reconcile_after": "PT30S", "reconcile_window": "PT5M"}"#)
            let period = try #require(Fixture.due(h.schedulePath, ledger: Self.ledger, at: Fixture.now).first)
            try await body(h, period, PeriodKey(ledgerID: Self.ledger, periodStart: period.startTime))
        }
    }

    static func lastStatus(_ notifier: RecordingNotifier) -> String? {
        notifier.messages.reversed().lazy.compactMap { m -> String? in
            switch m {
            case .status(let s): s
            case .ready(let s): s
            default: nil
            }
        }.first
    }
}
