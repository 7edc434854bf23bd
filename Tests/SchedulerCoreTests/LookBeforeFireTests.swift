import Foundation
import Testing
import SchedulerCore

/// The pure rules behind "no POST without a listing": what a listing says about a period,
/// when a listing is fresh enough, and what a period run does with the answer.
@Suite("Look before you fire (pure)")
struct LookBeforeFireCoreTests {
    static let period = RunFixture.period  // March 2025 in Berlin: 2025-02-28T23:00Z … 2025-03-31T22:00Z
    static let t = RunFixture.t0

    static func listing(_ spans: [(String, String, String)], at: Date = t) -> LedgerBatches {
        LedgerBatches(takenAt: at, spans: spans.map { .init(id: $0.0, start: instant($0.1), end: instant($0.2)) })
    }

    @Test("verdicts: nothing, inside, exactly, several inside, partly before, partly after, covering, neighbours")
    func verdicts() {
        #expect(Self.listing([]).verdict(for: Self.period) == .clear)
        #expect(Self.listing([("bat_a", "2025-02-28T23:00:00Z", "2025-03-31T21:59:59Z")]).verdict(for: Self.period) == .found(batchIDs: ["bat_a"]))
        #expect(Self.listing([("bat_b", "2025-03-10T00:00:00Z", "2025-03-11T00:00:00Z"), ("bat_a", "2025-03-01T00:00:00Z", "2025-03-02T00:00:00Z")])
            .verdict(for: Self.period) == .found(batchIDs: ["bat_a", "bat_b"]))
        // The neighbouring months do not touch March.
        #expect(Self.listing([("bat_feb", "2025-01-31T23:00:00Z", "2025-02-28T22:59:59Z"), ("bat_apr", "2025-03-31T22:00:00Z", "2025-04-30T21:59:59Z")])
            .verdict(for: Self.period) == .clear)
        // Starts inside, ends after: a conflict, named.
        let after = Self.listing([("bat_x", "2025-03-15T00:00:00Z", "2025-04-14T23:59:59Z")]).verdict(for: Self.period)
        guard case .conflict(let span) = after else { Issue.record("expected a conflict, got \(after)"); return }
        #expect(span.id == "bat_x")
        // Starts before, ends inside; and a quarter covering the month: conflicts too.
        #expect(Self.listing([("bat_y", "2025-02-15T00:00:00Z", "2025-03-14T23:59:59Z")]).verdict(for: Self.period) != .clear)
        #expect(Self.listing([("bat_q", "2024-12-31T23:00:00Z", "2025-03-31T21:59:59Z")]).verdict(for: Self.period) != .clear)
        #expect(Self.listing([("bat_q", "2024-12-31T23:00:00Z", "2025-03-31T21:59:59Z")]).verdict(for: Self.period) != .found(batchIDs: ["bat_q"]))
    }

    @Test("a listing with a batch lacking start_time or end_time cannot be used")
    func unparsable() {
        let missing = LedgerBatches.parse([("bat_1", nil, "2025-03-31T21:59:59.000Z")], takenAt: Self.t)
        #expect(throws: ListingProblem.self) { try missing.get() }
        let garbled = LedgerBatches.parse([("bat_2", "2025-03-01", "yesterday")], takenAt: Self.t)
        #expect(throws: ListingProblem.self) { try garbled.get() }
        if case .failure(let p) = missing { #expect(p.message.contains("bat_1") && p.message.contains("start_time")) }
        let fine = LedgerBatches.parse([("bat_3", "2025-03-01T00:00:00.000Z", "2025-03-01T23:59:59.000Z")], takenAt: Self.t)
        #expect((try? fine.get())?.verdict(for: Self.period) == .found(batchIDs: ["bat_3"]))
    }

    @Test("freshness: newer than the period's last POST and no older than verify_max_age")
    func freshness() {
        let l = Self.listing([], at: Self.t)
        let age = Duration.seconds(300)
        #expect(!LookBeforeFire.isFresh(nil, lastPostAt: nil, now: Self.t, maxAge: age))
        #expect(LookBeforeFire.isFresh(l, lastPostAt: nil, now: Self.t.addingTimeInterval(300), maxAge: age))
        #expect(!LookBeforeFire.isFresh(l, lastPostAt: nil, now: Self.t.addingTimeInterval(301), maxAge: age))
        #expect(LookBeforeFire.isFresh(l, lastPostAt: Self.t.addingTimeInterval(-1), now: Self.t, maxAge: age))
        #expect(!LookBeforeFire.isFresh(l, lastPostAt: Self.t.addingTimeInterval(1), now: Self.t.addingTimeInterval(2), maxAge: age))
        #expect(!LookBeforeFire.isFresh(l, lastPostAt: Self.t, now: Self.t.addingTimeInterval(60), maxAge: age), "same instant as the POST")
        // A listing "from the future" (the wall clock stepped back) is not trusted.
        #expect(!LookBeforeFire.isFresh(l, lastPostAt: nil, now: Self.t.addingTimeInterval(-60), maxAge: age))
    }

    @Test("found on the API: completed with the batch ids, a detail saying so, and no POST")
    func found() {
        var run = RunFixture.run()
        let actions = run.foundOnAPI(batchIDs: ["bat_a"], now: Self.t)
        #expect(actions.last == .finished(.completed))
        #expect(!actions.contains(.post))
        let entry = RunFixture.entries(actions).first
        #expect(entry?.event == .completed)
        #expect(entry?.batchIDs == ["bat_a"])
        #expect(entry?.detail?.hasPrefix(PeriodRun.foundDetailPrefix) == true)
    }

    @Test("a listing failure or a conflict holds with a growing backoff and journals `held` once per reason")
    func heldOnce() {
        var run = RunFixture.run(recovery: .init(unavailableLedgerBackoff: .seconds(60)))
        let error = APIErrorSummary(kind: .refused, status: 403, message: "HTTP 403: forbidden")
        let first = run.listingFailed(error, now: Self.t)
        #expect(RunFixture.events(first) == [.held])
        #expect(first.last == .restart(at: Self.t.addingTimeInterval(60)))
        #expect(RunFixture.entries(first).first?.error?.contains("HTTP 403: forbidden") == true)
        #expect(RunFixture.entries(first).first?.detail == PeriodRun.unverifiedDetail)
        let second = run.listingFailed(error, now: Self.t.addingTimeInterval(60))
        #expect(RunFixture.events(second).isEmpty, "the same hold is not journaled twice")
        #expect(second.last == .restart(at: Self.t.addingTimeInterval(60 + 120)))
        let span = LedgerBatches.Span(id: "bat_x", start: instant("2025-03-15T00:00:00Z"), end: instant("2025-04-14T23:59:59Z"))
        let conflict = run.conflictOnAPI(span, now: Self.t.addingTimeInterval(200))
        #expect(RunFixture.entries(conflict).first?.detail == PeriodRun.conflictDetail)
        #expect(RunFixture.entries(conflict).first?.error?.contains("bat_x") == true)
        #expect(!conflict.contains(.post))
    }

    @Test("a held period is fired (through the check) when it is started again")
    func heldThenStart() {
        var run = RunFixture.run(RunFixture.record([.held]))
        #expect(run.start(now: Self.t).contains(.post))
    }

    @Test("a POST the API provably did not process is journaled not_fired before the Retry-After wait")
    func notProcessed() {
        var run = RunFixture.run()
        _ = run.start(now: Self.t)
        let error = APIErrorSummary(kind: .notProcessed, status: 503, message: "HTTP 503", retryAfter: .seconds(120))
        let actions = run.postFailed(error, now: Self.t)
        #expect(RunFixture.events(actions) == [.notFired])
        #expect(actions.last == .restart(at: Self.t.addingTimeInterval(120)))
        // Without Retry-After: the API retry backoff (0.5 s, doubling), never the ledger hold.
        var quick = RunFixture.run()
        _ = quick.start(now: Self.t)
        let refused = quick.postFailed(APIErrorSummary(kind: .notProcessed, message: "connection refused"), now: Self.t)
        #expect(refused.last == .restart(at: Self.t.addingTimeInterval(0.5)))
    }

    @Test("after many not-processed POSTs in a row the ledger is held instead")
    func notProcessedManyTimes() {
        var events: [JournalEvent] = []
        for _ in 0..<(PeriodRun.quickRefires - 1) { events += [.intent, .notFired] }
        var run = RunFixture.run(RunFixture.record(events + [.intent]))
        let actions = run.postFailed(APIErrorSummary(kind: .notProcessed, message: "connection refused"), now: Self.t)
        guard case .holdLedger? = actions.last else { Issue.record("expected a hold, got \(actions)"); return }
    }

    @Test("the record keeps when the period was last POSTed")
    func lastIntent() {
        let record = RunFixture.record([.intent, .notFired, .intent])
        #expect(record?.lastIntentAt == RunFixture.t0.addingTimeInterval(2))
        #expect(record?.consecutiveNotFired == 1)
        #expect(RunFixture.record([.intent, .notFired, .intent, .fired])?.consecutiveNotFired == 0)
    }
}
