import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// The wall clock stepped under a running daemon (an NTP correction, `date -s`): relative
/// waits (polls, timeouts, holds) keep their monotonic deadlines, period due times follow
/// the new wall time, and the step is logged.
@Suite("Wall-clock steps")
struct ClockStepTests {
    static let ledger = "lgr_clock1"

    @Test("stepped back one hour: polling carries on, the task completes, the step is logged")
    func steppedBack() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)], duration: 60), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON(Self.ledger, cadence: "monthly", first: "2026-10-01")])
            let log = RecordingLog()
            let running = try await h.launch(log: log)
            await running.drive { $0.records(ledgerID: Self.ledger).values.first?.taskID != nil }
            let stepAt = h.clock.now()
            h.clock.stepWallClock(by: -3600)
            let state = await running.drive(maxVirtualSeconds: 600) { Fixture.allTerminal($0, ledger: Self.ledger, count: 1) }
            try await running.stop()
            #expect(state.records(ledgerID: Self.ledger).values.first?.lastEvent == .completed)
            // The task finished about 60 s after firing; it was noticed within the poll cap, not an hour later.
            let polls = Fixture.requests(await h.sim.requests(), .asyncTask).filter { $0.time > stepAt }
            #expect(!polls.isEmpty)
            #expect(polls.allSatisfy { Fixture.seconds(stepAt, $0.time) < 180 }, "polls stalled after the wall clock went back")
            #expect(log.lines.contains { $0.contains("clock_step") || $0.contains("stepped back") })
        }
    }

    @Test("stepped forward one day: a running task is not timed out or made ambiguous; periods due by the new wall time fire")
    func steppedForward() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)], duration: 60), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [Fixture.ledgerJSON(Self.ledger, cadence: "daily", first: "2026-11-22")],
                extra: #""polling": {"task_timeout": "PT1H"}, "recovery": {"reconcile_window": "PT10M"}"#)
            let log = RecordingLog()
            let running = try await h.launch(log: log)
            let key = PeriodKey(ledgerID: Self.ledger, periodStart: "2026-11-22T00:00:00.000Z")
            await running.drive { $0.record(key)?.taskID != nil }
            h.clock.stepWallClock(by: 86_400)
            // The wall clock now says 2026-11-24 12:00: 2026-11-23 is due as well.
            let state = await running.drive(maxVirtualSeconds: 3600) { Fixture.allTerminal($0, ledger: Self.ledger, count: 2) }
            try await running.stop()
            #expect(state.record(key)?.lastEvent == .completed, "the running task was recorded \(state.record(key)?.lastEvent.rawValue ?? "nil")")
            #expect(state.record(PeriodKey(ledgerID: Self.ledger, periodStart: "2026-11-23T00:00:00.000Z"))?.lastEvent == .completed)
            #expect(state.records(ledgerID: Self.ledger).values.allSatisfy { $0.lastEvent == .completed })
            #expect(log.lines.contains { $0.contains("stepped forward") })
        }
    }
}
