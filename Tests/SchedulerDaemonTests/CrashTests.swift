import AsyncHTTPClient
import Foundation
import Logging
import MangroveClient
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

@Suite("Stops, crashes and restarts")
struct CrashTests {
    static let ledgers = [
        Fixture.ledgerJSON("lgr_crash1", cadence: "monthly", zone: "Europe/Berlin", first: "2026-01-01"),
        Fixture.ledgerJSON("lgr_crash2", cadence: "weekly", first: "2026-09-07"),
    ]

    static func done(_ s: JournalState) -> Bool {
        Fixture.allTerminal(s, ledger: "lgr_crash1", count: 10) && Fixture.allTerminal(s, ledger: "lgr_crash2", count: 11)
    }

    static func assertNoDuplicatePosts(_ requests: [RecordedRequest]) {
        for ledger in ["lgr_crash1", "lgr_crash2"] {
            let starts = Fixture.posts(requests, ledger: ledger).map(\.0)
            #expect(Set(starts).count == starts.count, "a period of \(ledger) was POSTed twice: \(starts)")
        }
    }

    @Test("a graceful stop mid-run resumes in-flight tasks without re-POSTing")
    func stopAndResume() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_crash1"), Fixture.ledger("lgr_crash2")], duration: 20), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: Self.ledgers)
            let first = try await h.launch()
            let mid = await first.drive { s in !s.inFlight.isEmpty && s.inFlight.allSatisfy { key in s.record(key)?.taskID != nil } }
            let inFlight = mid.inFlight
            #expect(!inFlight.isEmpty)
            try await first.stop()
            let second = try await h.launch()
            let final = await second.drive(until: Self.done)
            try await second.stop()
            #expect(Self.done(final))
            let requests = await h.sim.requests()
            Self.assertNoDuplicatePosts(requests)
            // The resumed tasks kept their task ids: polled, not re-fired (the journal's full records).
            let full = try JournalFile.read(path: h.journalPath, keepsEveryRecord: true).state
            for key in inFlight {
                #expect(final.record(key)?.lastEvent == .completed)
                #expect(full.record(key)?.taskID == mid.record(key)?.taskID)
                #expect(full.record(key)?.attempts == 1)
            }
        }
    }

    @Test("crashes at many points never POST a period twice and every period ends terminal", arguments: [1, 2, 3, 5, 8, 13])
    func crashAtManyPoints(every steps: Int) async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_crash1"), Fixture.ledger("lgr_crash2")]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: Self.ledgers)
            var state = JournalState()
            for _ in 0..<200 {
                let running = try await h.launch()
                state = await running.drive(maxSteps: steps, until: Self.done)
                await running.crash()
                if Self.done(state) { break }
            }
            #expect(Self.done(state))
            Self.assertNoDuplicatePosts(await h.sim.requests())
        }
    }

    /// The state a crash leaves when it hits between the fsync'd `intent` and the API's
    /// answer: the journal says `intent`, and the POST may or may not have been processed.
    static func crashAfterIntent(_ h: DaemonHarness, processed: Bool) async throws -> JournalState {
        try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_crash1", cadence: "monthly", first: "2026-10-01")], extra: #""recovery": {"reconcile_after": "PT30S", "reconcile_window": "PT10M"}"#)
        let period = try Fixture.due(h.schedulePath, ledger: "lgr_crash1", at: Fixture.now)[0]
        let journal = try JournalFile(path: h.journalPath)
        try journal.append(JournalEntry(time: Fixture.now, ledgerID: "lgr_crash1", periodStart: period.startTime, periodEnd: period.endTime, event: .intent, attempt: 1))
        journal.close()
        if processed {
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
            let api = HTTPBatchAPI(configuration: .init(baseURL: h.sim.baseURL), token: APIToken(h.sim.config.token), httpClient: client, logger: Logger(label: "test"))
            _ = try await api.createBatchGeneration(ledgerID: "lgr_crash1", request: .init(startTime: period.startTime, endTime: period.endTime))
            try await client.shutdown()
        }
        let running = try await h.launch()
        let final = await running.drive { Fixture.allTerminal($0, ledger: "lgr_crash1", count: 1) }
        try await running.stop()
        return final
    }

    @Test("after a crash between intent and answer, a processed POST is reconciled from the ledger's batches, not re-sent")
    func crashAfterIntentProcessed() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_crash1")]), start: Fixture.now) { h in
            let final = try await Self.crashAfterIntent(h, processed: true)
            let record = try #require(final.records(ledgerID: "lgr_crash1").values.first)
            #expect(record.lastEvent == .completed)
            #expect(record.batchIDs?.isEmpty == false)
            #expect(record.detail?.contains("reconciled") == true)
            // Only the POST made before the "crash": the daemon sent none.
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_crash1").count == 1)
        }
    }

    @Test("after a crash between intent and answer, an unprocessed POST ends ambiguous for an operator, never re-sent")
    func crashAfterIntentNotProcessed() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_crash1")]), start: Fixture.now) { h in
            let final = try await Self.crashAfterIntent(h, processed: false)
            let record = try #require(final.records(ledgerID: "lgr_crash1").values.first)
            #expect(record.lastEvent == .ambiguous)
            #expect(record.lastError?.contains("mangrove-scheduler retry --ledger lgr_crash1") == true)
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_crash1").isEmpty)
        }
    }
}
