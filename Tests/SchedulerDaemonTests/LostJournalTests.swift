import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

@Suite("A journal that was lost")
struct LostJournalTests {
    @Test("a ledger new to the journal whose periods already have batches is not generated again")
    func lostJournal() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_lost1")]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_lost1", cadence: "monthly", first: "2026-01-01")])
            let first = try await h.launch()
            await first.drive { Fixture.allTerminal($0, ledger: "lgr_lost1", count: 10) }
            try await first.stop()
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_lost1").count == 10)

            // The state directory is wiped (or journal_path changed): the journal is gone.
            try FileManager.default.removeItem(atPath: h.journalPath)
            let second = try await h.launch()
            let state = await second.drive(maxVirtualSeconds: 3600) { Fixture.allTerminal($0, ledger: "lgr_lost1", count: 10) }
            try await second.stop()
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_lost1").count == 10, "periods were generated a second time")
            let records = state.records(ledgerID: "lgr_lost1").values
            #expect(records.count == 10)
            #expect(records.allSatisfy { $0.lastEvent == .completed && $0.batchIDs?.isEmpty == false })
            #expect(records.allSatisfy { $0.detail?.hasPrefix(PeriodRun.foundDetailPrefix) == true })
        }
    }
}
