import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

@Suite("Changing a ledger's cadence")
struct CadenceChangeTests {
    @Test("after monthly periods were generated, switching to quarterly never generates the overlapping quarters")
    func monthlyToQuarterly() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_cad1")]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_cad1", cadence: "monthly", first: "2026-01-01")])
            let first = try await h.launch()
            await first.drive { Fixture.allTerminal($0, ledger: "lgr_cad1", count: 10) }
            try await first.stop()
            let postsBefore = Fixture.posts(await h.sim.requests(), ledger: "lgr_cad1").count
            #expect(postsBefore == 10)

            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_cad1", cadence: "quarterly", first: "2026-01-01")])
            let second = try await h.launch()
            await second.drive(maxVirtualSeconds: 6 * 3600) { _ in false }
            try await second.stop()
            // Q1–Q3 2026 overlap the generated months: nothing new is POSTed.
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_cad1").count == postsBefore)
            // `plan` shows them as conflicts rather than done.
            let schedule = try ScheduleFile.load(path: h.schedulePath).schedule
            let state = try JournalFile.read(path: h.journalPath).state
            let plan = PlanReport.make(schedule: schedule, state: state, now: Fixture.now)
            let statuses = Set(plan.ledgers[0].due.map(\.status))
            #expect(statuses == ["conflict"])
        }
    }
}
