import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

@Suite("Catch-up against the simulator")
struct CatchUpTests {
    @Test("every closed period is POSTed exactly once, oldest first, with the exact strings")
    func catchUp() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_monthly1"), Fixture.ledger("lgr_daily1")]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [
                Fixture.ledgerJSON("lgr_monthly1", cadence: "monthly", zone: "Europe/Berlin", first: "2025-01-01", settle: "PT6H"),
                Fixture.ledgerJSON("lgr_daily1", cadence: "daily", zone: "America/New_York", first: "2026-10-20"),
            ])
            let monthly = try Fixture.due(h.schedulePath, ledger: "lgr_monthly1", at: Fixture.now)
            let daily = try Fixture.due(h.schedulePath, ledger: "lgr_daily1", at: Fixture.now)
            #expect(monthly.count == 22)
            #expect(daily.count == 34)
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier)
            // READY is sent after replay, before any API request.
            #expect(notifier.messages.first.map { if case .ready = $0 { true } else { false } } == true)
            let state = await running.drive { s in
                Fixture.allTerminal(s, ledger: "lgr_monthly1", count: 22) && Fixture.allTerminal(s, ledger: "lgr_daily1", count: 34)
            }
            try await running.stop()
            let requests = await h.sim.requests()
            let monthlyPosts = Fixture.posts(requests, ledger: "lgr_monthly1")
            #expect(monthlyPosts.map(\.0) == monthly.map(\.startTime))
            #expect(monthlyPosts.map(\.1) == monthly.map(\.endTime))
            #expect(monthlyPosts.first?.0 == "2024-12-31T23:00:00.000Z")
            #expect(monthlyPosts.first?.1 == "2025-01-31T22:59:59.000Z")
            let dailyPosts = Fixture.posts(requests, ledger: "lgr_daily1")
            #expect(dailyPosts.map(\.0) == daily.map(\.startTime))
            // The DST day (2026-11-01 in New York) is 25 hours long.
            #expect(dailyPosts.contains { $0 == ("2026-11-01T04:00:00.000Z", "2026-11-02T04:59:59.000Z") })
            #expect(state.records(ledgerID: "lgr_monthly1").values.allSatisfy { $0.lastEvent == .completed })
            #expect(requests.allSatisfy { $0.authorized })
            // Every journal line has the contract's fields; task_id once known.
            for line in try Fixture.journalLines(h.journalPath) {
                for key in ["time", "ledger_id", "period_start", "period_end", "event"] { #expect(line[key] != nil) }
                if let event = line["event"] as? String, ["fired", "progress", "completed"].contains(event) {
                    #expect(line["task_id"] != nil)
                }
            }
            // The status line was kept current.
            #expect(notifier.messages.contains { if case .status(let s) = $0 { s.contains("2 ledgers") } else { false } })
        }
    }

    @Test("a restarted daemon with nothing due sends nothing")
    func restartIdle() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_q1")]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_q1", cadence: "quarterly", zone: "Australia/Sydney", first: "2026-01-01")])
            let first = try await h.launch()
            await first.drive { Fixture.allTerminal($0, ledger: "lgr_q1", count: 3) }
            try await first.stop()
            let before = await h.sim.requests().count
            let second = try await h.launch()
            await second.drive(maxSteps: 20, maxVirtualSeconds: 3600) { _ in false }
            try await second.stop()
            #expect(await h.sim.requests().count == before)
        }
    }
}
