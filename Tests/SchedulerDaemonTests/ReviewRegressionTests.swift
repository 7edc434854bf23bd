import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// Sequences found in review that the poke/settle driver could not expose.
@Suite("Scheduling loop regressions")
struct ReviewRegressionTests {
    @Test("with more due ledgers than slots and no watchdog, the loop's own timers keep it going")
    func timersAloneDriveTheLoop() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_slot1"), Fixture.ledger("lgr_slot2")]), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [
                    Fixture.ledgerJSON("lgr_slot1", cadence: "monthly", first: "2026-08-01"),
                    Fixture.ledgerJSON("lgr_slot2", cadence: "monthly", first: "2026-08-01"),
                ],
                extra: #""limits": {"max_in_flight": 1}"#)
            let running = try await h.launch()
            var state = JournalState()
            // No poke()/settle(): only the timers the loop arms move it (bounded, ms-scale waits for
            // loopback I/O; time moves only while no call is out, as it would in real time).
            for _ in 0..<3000 {
                let snapshot = await running.scheduler.snapshot
                state = snapshot.state
                if Fixture.allTerminal(state, ledger: "lgr_slot1", count: 3), Fixture.allTerminal(state, ledger: "lgr_slot2", count: 3) { break }
                // The armed timer fires when the clock reaches the loop's next work wake-up.
                if snapshot.pendingInputs == 0, let next = snapshot.nextWorkWakeup, next > h.clock.now() { h.clock.advance(to: next) }
                try await Task.sleep(for: .milliseconds(1))
            }
            try await running.stop()
            // Driven by the work's own timers, not by the far-off wake-ups that refresh overdue counts.
            #expect(h.clock.now().timeIntervalSince(Fixture.now) < 6 * 3_600)
            #expect(Fixture.allTerminal(state, ledger: "lgr_slot1", count: 3))
            #expect(Fixture.allTerminal(state, ledger: "lgr_slot2", count: 3))
        }
    }

    @Test("a stop while POSTs wait for the rate limiter leaves no intent behind, so nothing turns ambiguous")
    func stopWithPostsDeferred() async throws {
        let ids = ["lgr_rate1", "lgr_rate2", "lgr_rate3"]
        try await DaemonHarness.with(config: Fixture.config(ids.map { Fixture.ledger($0) }), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: ids.map { Fixture.ledgerJSON($0, cadence: "monthly", first: "2026-10-01") },
                extra: #""limits": {"requests_per_second": 0.1}"#)
            let first = try await h.launch()
            await first.scheduler.poke()
            await first.scheduler.settle()
            try await first.stop()
            let afterStop = try JournalFile.read(path: h.journalPath).state
            let intents = ids.flatMap { afterStop.records(ledgerID: $0).values }.filter { $0.lastEvent == .intent }
            #expect(intents.isEmpty, "a POST that was never sent left an intent line")
            let sent = Fixture.posts(await h.sim.requests(), ledger: "lgr_rate1").count + Fixture.posts(await h.sim.requests(), ledger: "lgr_rate2").count + Fixture.posts(await h.sim.requests(), ledger: "lgr_rate3").count
            #expect(sent <= 1, "the rate limiter allows one request before the stop")

            let second = try await h.launch()
            let final = await second.drive { s in ids.allSatisfy { Fixture.allTerminal(s, ledger: $0, count: 1) } }
            try await second.stop()
            for id in ids {
                #expect(final.records(ledgerID: id).values.allSatisfy { $0.lastEvent == .completed })
                #expect(Fixture.posts(await h.sim.requests(), ledger: id).count == 1)
            }
        }
    }

    @Test("a task in flight when the cadence changes is still polled to its end after the restart")
    func inFlightAcrossCadenceChange() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_grid1")], duration: 600), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_grid1", cadence: "monthly", first: "2026-10-01")])
            let first = try await h.launch()
            let mid = await first.drive { !$0.inFlight.isEmpty && $0.inFlight.allSatisfy { key in true } }
            let key = try #require(mid.inFlight.first)
            try await first.stop()

            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_grid1", cadence: "quarterly", first: "2026-10-01")])
            let second = try await h.launch()
            let final = await second.drive(maxVirtualSeconds: 3 * 3600) { $0.record(key)?.isTerminal == true }
            try await second.stop()
            #expect(final.record(key)?.lastEvent == .completed)
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_grid1").count == 1)
        }
    }
}
