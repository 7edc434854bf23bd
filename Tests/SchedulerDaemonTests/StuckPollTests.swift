import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// Tasks whose polls never give a usable answer must not hold every `max_in_flight` slot:
/// after `PeriodRun.unusablePollLimit` unusable polls in a row a task gives up its slot and
/// is polled at `max_interval`, so healthy ledgers carry on.
@Suite("Stuck polls")
struct StuckPollTests {
    @Test("four tasks whose polls never decode release their slots; a healthy ledger completes all its periods")
    func stuckPollsDoNotStarve() async throws {
        let stuck = ["lgr_stuck1", "lgr_stuck2", "lgr_stuck3", "lgr_stuck4"]
        // Tasks 1–4 are the stuck ledgers' (they fire first); their polls never decode.
        let kinds: [FaultKind] = [.garbageBody, .undecodable, .redirect(location: "https://login.example.invalid/sso"), .drop]
        let faults = kinds.enumerated().map { i, kind in
            FaultRule(match: FaultMatcher(method: "GET", pathPrefix: "/async_tasks/\(i + 1)"), kind: kind)
        }
        let sims = (stuck + ["lgr_healthy"]).map { Fixture.ledger($0) }
        try await DaemonHarness.with(config: Fixture.config(sims), start: Fixture.now) { h in
            let stuckJSON = stuck.map { Fixture.ledgerJSON($0, cadence: "monthly", first: "2026-10-01") }
            try h.writeSchedule(ledgers: stuckJSON, extra: #""limits": {"max_in_flight": 4}"#)
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier)
            // The four stuck ledgers fire first (tasks 1–4) and take every slot; then their polls stop decoding.
            await running.drive { s in stuck.allSatisfy { s.records(ledgerID: $0).values.first?.taskID != nil } }
            await h.sim.setFaults(faults)
            // A healthy ledger is added.
            try h.writeSchedule(
                ledgers: stuckJSON + [Fixture.ledgerJSON("lgr_healthy", cadence: "monthly", first: "2026-08-01")],
                extra: #""limits": {"max_in_flight": 4}"#)
            await running.scheduler.requestReload()
            let state = await running.drive(maxVirtualSeconds: 600) { Fixture.allTerminal($0, ledger: "lgr_healthy", count: 3) }
            let requests = await h.sim.requests()
            try await running.stop()
            #expect(Fixture.allTerminal(state, ledger: "lgr_healthy", count: 3), "the healthy ledger was starved by stuck polls")
            #expect(state.records(ledgerID: "lgr_healthy").values.allSatisfy { $0.lastEvent == .completed })
            for ledger in stuck {
                // Still in flight (never re-POSTed, never given up before task_timeout), and still polled.
                let record = try #require(state.records(ledgerID: ledger).values.first)
                #expect(record.isInFlight)
                let task = try #require(record.taskID)
                #expect((1...4).contains(task))
                #expect(Fixture.posts(requests, ledger: ledger).count == 1)
                #expect(Fixture.polls(requests, task: task).count >= PeriodRun.unusablePollLimit)
            }
            // STATUS= still counts the stuck tasks as in flight.
            let statuses = notifier.messages.compactMap { m -> String? in if case .status(let s) = m { s } else { nil } }
            #expect(statuses.last?.contains("4 in flight") == true, "\(statuses.last ?? "none")")
        }
    }

    @Test("after the slot is released the task is polled at max_interval, and completes normally once it answers")
    func stuckThenRecovers() async throws {
        let faults = [FaultRule(match: FaultMatcher(method: "GET", pathPrefix: "/async_tasks/1"), kind: .garbageBody, count: 5)]
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_stuck1")], faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_stuck1", cadence: "monthly", first: "2026-10-01")])
            let running = try await h.launch()
            let state = await running.drive(maxVirtualSeconds: 3600) { Fixture.allTerminal($0, ledger: "lgr_stuck1", count: 1) }
            try await running.stop()
            #expect(state.records(ledgerID: "lgr_stuck1").values.first?.lastEvent == .completed)
            let polls = Fixture.polls(await h.sim.requests(), task: 1)
            #expect(polls.count == 6)
            // From the limit on, polls come max_interval (60 s) apart.
            for i in PeriodRun.unusablePollLimit..<polls.count {
                #expect(Fixture.seconds(polls[i - 1].time, polls[i].time) >= 59)
            }
        }
    }
}
