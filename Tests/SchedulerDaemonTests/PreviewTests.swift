import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// Ledgers with `"preview": true` ask `generate_preview` first and fire only when it
/// predicts batches: an empty period is re-checked later, then skipped.
@Suite("Preview before firing")
struct PreviewTests {
    static let recovery = #""recovery": {"empty_preview_recheck": "PT1H", "empty_preview_limit": 2}"#

    @Test("an empty preview is journaled, nothing is POSTed, it is re-checked after empty_preview_recheck, then skipped at the limit")
    func emptyPreview() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_preview1", previewCount: 0)]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_preview1", cadence: "monthly", first: "2026-10-01", preview: true)], extra: Self.recovery)
            let period = try #require(Fixture.due(h.schedulePath, ledger: "lgr_preview1", at: Fixture.now).first)
            let running = try await h.launch()
            let afterFirst = await running.drive(maxSteps: 3) { s in s.records(ledgerID: "lgr_preview1").values.first?.lastEvent == .previewEmpty }
            #expect(afterFirst.records(ledgerID: "lgr_preview1").values.first?.lastEvent == .previewEmpty)
            let state = await running.drive(maxVirtualSeconds: 86_400) { Fixture.allTerminal($0, ledger: "lgr_preview1", count: 1) }
            try await running.stop()
            let record = try #require(state.record(PeriodKey(ledgerID: "lgr_preview1", periodStart: period.startTime)))
            #expect(record.lastEvent == .skipped)
            #expect(record.lastError?.contains("0 batches") == true)
            let events = try Fixture.events(h.journalPath, ledger: "lgr_preview1", start: period.startTime)
            #expect(events == ["preview_empty", "skipped"])
            let requests = await h.sim.requests()
            #expect(Fixture.posts(requests, ledger: "lgr_preview1").isEmpty)
            let previews = Fixture.requests(requests, .generatePreview, ledger: "lgr_preview1")
            #expect(previews.count == 2)
            if previews.count == 2 {
                #expect(Fixture.seconds(previews[0].time, previews[1].time) >= 3600)
                #expect(previews[0].generationRequest?.startTime == period.startTime)
                #expect(previews[0].generationRequest?.endTime == period.endTime)
            }
        }
    }

    @Test("a preview predicting batches leads to one POST that completes")
    func nonEmptyPreview() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_preview2", previewCount: 3)]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_preview2", cadence: "monthly", first: "2026-10-01", preview: true)], extra: Self.recovery)
            let period = try #require(Fixture.due(h.schedulePath, ledger: "lgr_preview2", at: Fixture.now).first)
            let running = try await h.launch()
            let state = await running.drive { Fixture.allTerminal($0, ledger: "lgr_preview2", count: 1) }
            try await running.stop()
            #expect(state.record(PeriodKey(ledgerID: "lgr_preview2", periodStart: period.startTime))?.lastEvent == .completed)
            let requests = await h.sim.requests()
            let previews = Fixture.requests(requests, .generatePreview, ledger: "lgr_preview2")
            let posts = Fixture.requests(requests, .batchGenerations, ledger: "lgr_preview2")
            #expect(previews.count == 1)
            #expect(posts.count == 1)
            if let preview = previews.first, let post = posts.first { #expect(preview.sequence < post.sequence) }
            let intent = try Fixture.journalLines(h.journalPath).first { $0["event"] as? String == "intent" }
            #expect((intent?["detail"] as? String)?.contains("3 batches") == true)
        }
    }

    @Test("a period waiting to re-check its empty preview does not hold an in-flight slot that other ledgers need")
    func emptyPreviewKeepsNoSlot() async throws {
        let sims = [Fixture.ledger("lgr_preview3", previewCount: 0), Fixture.ledger("lgr_preview4")]
        try await DaemonHarness.with(config: Fixture.config(sims), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [
                    Fixture.ledgerJSON("lgr_preview3", cadence: "monthly", first: "2026-09-01", preview: true),
                    Fixture.ledgerJSON("lgr_preview4", cadence: "monthly", first: "2026-09-01"),
                ],
                extra: #""limits": {"max_in_flight": 1}, "recovery": {"empty_preview_recheck": "PT1H", "empty_preview_limit": 24}"#)
            let running = try await h.launch()
            // Two 3-second generations need minutes, not a day.
            let state = await running.drive(maxVirtualSeconds: 2 * 3600) { Fixture.allTerminal($0, ledger: "lgr_preview4", count: 2) }
            try await running.stop()
            #expect(Fixture.allTerminal(state, ledger: "lgr_preview4", count: 2), "the other ledger waited behind the empty-preview re-checks")
        }
    }
}
