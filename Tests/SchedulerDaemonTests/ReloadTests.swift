import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// SIGHUP: the schedule is re-read; additions start, removals finish what is in flight,
/// and an invalid schedule leaves the old one in force.
@Suite("Reloading the schedule")
struct ReloadTests {
    static let monthly = Fixture.ledgerJSON("lgr_reload1", cadence: "monthly", first: "2026-09-01")
    static let weekly = Fixture.ledgerJSON("lgr_reload2", cadence: "weekly", first: "2026-10-05")

    static func isReady(_ m: RecordingNotifier.Message) -> Bool { if case .ready = m { true } else { false } }

    /// The notifications after index `from`: a reload must be RELOADING=1 followed by READY=1.
    static func expectReloadCycle(_ notifier: RecordingNotifier, after from: Int) {
        let messages = Array(notifier.messages.dropFirst(from))
        let reloading = messages.firstIndex(of: .reloading)
        #expect(reloading != nil, "no RELOADING=1 after the reload")
        if let reloading {
            #expect(messages[(reloading + 1)...].contains(where: isReady), "no READY=1 after RELOADING=1")
        }
    }

    @Test("an added ledger is scheduled; an invalid schedule is rejected and the old one stays in force")
    func addThenInvalid() async throws {
        let sims = [Fixture.ledger("lgr_reload1"), Fixture.ledger("lgr_reload2")]
        try await DaemonHarness.with(config: Fixture.config(sims), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Self.monthly])
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier)
            await running.drive { Fixture.allTerminal($0, ledger: "lgr_reload1", count: 2) }
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_reload2").isEmpty)

            // Add a ledger.
            try h.writeSchedule(ledgers: [Self.monthly, Self.weekly])
            let weeks = try Fixture.due(h.schedulePath, ledger: "lgr_reload2", at: h.clock.now())
            #expect(weeks.count == 7)
            var mark = notifier.messages.count
            await running.scheduler.requestReload()
            let afterAdd = await running.drive { Fixture.allTerminal($0, ledger: "lgr_reload2", count: 7) }
            #expect(afterAdd.records(ledgerID: "lgr_reload2").values.allSatisfy { $0.lastEvent == .completed })
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_reload2").map(\.0) == weeks.map(\.startTime))
            Self.expectReloadCycle(notifier, after: mark)
            #expect(notifier.messages.contains { if case .status(let s) = $0 { s.hasPrefix("2 ledgers") } else { false } })

            // An invalid schedule: rejected, the old one keeps going.
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_reload1", cadence: "montly", first: "2026-09-01")])
            mark = notifier.messages.count
            await running.scheduler.requestReload()
            await running.drive(maxSteps: 5) { _ in false }
            Self.expectReloadCycle(notifier, after: mark)
            #expect(await running.scheduler.snapshot.ledgers == 2)
            // Periods that come due later still fire for both ledgers: November (due Dec 1) and the week of Nov 23 (due Nov 30).
            let later = await running.drive(maxVirtualSeconds: 10 * 86_400) { s in
                Fixture.allTerminal(s, ledger: "lgr_reload1", count: 3) && Fixture.allTerminal(s, ledger: "lgr_reload2", count: 8)
            }
            try await running.stop()
            #expect(later.record(PeriodKey(ledgerID: "lgr_reload1", periodStart: "2026-11-01T00:00:00.000Z"))?.lastEvent == .completed)
            #expect(later.record(PeriodKey(ledgerID: "lgr_reload2", periodStart: "2026-11-23T00:00:00.000Z"))?.lastEvent == .completed)
            let requests = await h.sim.requests()
            for ledger in ["lgr_reload1", "lgr_reload2"] {
                let starts = Fixture.posts(requests, ledger: ledger).map(\.0)
                #expect(Set(starts).count == starts.count, "a period of \(ledger) was POSTed twice")
            }
        }
    }

    @Test("a removed ledger's task in flight is polled to completed, and none of its later periods fire")
    func removeWithTaskInFlight() async throws {
        let sims = [Fixture.ledger("lgr_reload1"), Fixture.ledger("lgr_reload3")]
        try await DaemonHarness.with(config: Fixture.config(sims, duration: 600), start: Fixture.now) { h in
            let daily = Fixture.ledgerJSON("lgr_reload3", cadence: "daily", first: "2026-11-20")
            try h.writeSchedule(ledgers: [Self.monthly, daily])
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier)
            let mid = await running.drive { s in
                s.records(ledgerID: "lgr_reload3").values.contains { $0.isInFlight && $0.taskID != nil }
            }
            let inFlight = try #require(mid.records(ledgerID: "lgr_reload3").all.first { $0.record.isInFlight })
            let postsBefore = Fixture.posts(await h.sim.requests(), ledger: "lgr_reload3").count
            #expect(postsBefore == 1)

            try h.writeSchedule(ledgers: [Self.monthly])
            let mark = notifier.messages.count
            await running.scheduler.requestReload()
            let done = await running.drive { s in
                s.record(PeriodKey(ledgerID: "lgr_reload3", periodStart: inFlight.start))?.isTerminal == true
            }
            Self.expectReloadCycle(notifier, after: mark)
            let record = try #require(done.record(PeriodKey(ledgerID: "lgr_reload3", periodStart: inFlight.start)))
            #expect(record.lastEvent == .completed)
            // The completed period's task is the one that was in flight (the journal's full record).
            let full = try JournalFile.read(path: h.journalPath, keepsEveryRecord: true).state
            #expect(full.record(PeriodKey(ledgerID: "lgr_reload3", periodStart: inFlight.start))?.taskID == inFlight.record.taskID)
            // Days go by: the removed ledger fires nothing more; the kept one carries on.
            let later = await running.drive(maxVirtualSeconds: 10 * 86_400) { Fixture.allTerminal($0, ledger: "lgr_reload1", count: 3) }
            try await running.stop()
            #expect(later.records(ledgerID: "lgr_reload3").count == 1)
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_reload3").count == postsBefore)
            #expect(Fixture.allTerminal(later, ledger: "lgr_reload1", count: 3))
            #expect(await running.scheduler.snapshot.ledgers == 1)
        }
    }

    @Test("removing a ledger the API does not know stops its re-checks")
    func removeHeldLedger() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_reload1")]), start: Fixture.now) { h in
            let typo = Fixture.ledgerJSON("lgr_reloadtypo", cadence: "monthly", first: "2026-10-01")
            try h.writeSchedule(ledgers: [Self.monthly, typo])
            let running = try await h.launch()
            await running.drive { s in
                s.records(ledgerID: "lgr_reloadtypo").values.first?.lastEvent == .notFired && Fixture.allTerminal(s, ledger: "lgr_reload1", count: 2)
            }
            // The operator fixes the schedule: the unknown ledger is gone.
            try h.writeSchedule(ledgers: [Self.monthly])
            await running.scheduler.requestReload()
            let before = Fixture.posts(await h.sim.requests(), ledger: "lgr_reloadtypo").count
            await running.drive(maxVirtualSeconds: 86_400) { _ in false }
            let snapshot = await running.scheduler.snapshot
            try await running.stop()
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_reloadtypo").count == before, "the removed ledger was POSTed again")
            #expect(snapshot.ledgers == 1)
            #expect(snapshot.activeRuns == 0)
        }
    }

    @Test(
        "a ledger removed from the schedule while the daemon was stopped still has its in-flight task polled to the end after restart")
    func removedWhileStoppedWithTaskInFlight() async throws {
        let sims = [Fixture.ledger("lgr_reload1"), Fixture.ledger("lgr_reload3")]
        try await DaemonHarness.with(config: Fixture.config(sims, duration: 600), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Self.monthly, Fixture.ledgerJSON("lgr_reload3", cadence: "daily", first: "2026-11-22")])
            let first = try await h.launch()
            let mid = await first.drive { s in s.records(ledgerID: "lgr_reload3").values.contains { $0.isInFlight && $0.taskID != nil } }
            try await first.stop()
            let inFlight = try #require(mid.records(ledgerID: "lgr_reload3").all.first { $0.record.isInFlight })
            let key = PeriodKey(ledgerID: "lgr_reload3", periodStart: inFlight.start)

            try h.writeSchedule(ledgers: [Self.monthly])
            let second = try await h.launch()
            let final = await second.drive(maxVirtualSeconds: 86_400) { $0.record(key)?.isTerminal == true }
            try await second.stop()
            #expect(final.record(key)?.lastEvent == .completed, "the task in flight was left \(final.record(key)?.lastEvent.rawValue ?? "?")")
            #expect(try JournalFile.read(path: h.journalPath, keepsEveryRecord: true).state.record(key)?.taskID == inFlight.record.taskID)
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_reload3").count == 1)
        }
    }

    @Test(
        "a change reverted by a second reload while the ledger's task runs leaves the original settings in force")
    func revertedChangeWhileBusy() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_reload1")], duration: 600), start: Fixture.now) { h in
            let original = Fixture.ledgerJSON("lgr_reload1", cadence: "monthly", first: "2026-10-01")
            try h.writeSchedule(ledgers: [original])
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier)
            await running.drive { s in s.records(ledgerID: "lgr_reload1").values.contains { $0.isInFlight && $0.taskID != nil } }
            // Changed (a 20-day settle delay) and changed back while October's task runs.
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_reload1", cadence: "monthly", first: "2026-10-01", settle: "P20D")])
            await running.scheduler.requestReload()
            await running.drive(maxSteps: 2) { _ in false }
            try h.writeSchedule(ledgers: [original])
            await running.scheduler.requestReload()
            // November is due on Dec 1 under the schedule in force (not on Dec 21).
            let november = PeriodKey(ledgerID: "lgr_reload1", periodStart: "2026-11-01T00:00:00.000Z")
            let state = await running.drive(maxVirtualSeconds: 10 * 86_400) { $0.record(november)?.isTerminal == true }
            try await running.stop()
            #expect(state.record(november)?.lastEvent == .completed, "November did not fire by Dec 3 under the reverted schedule")
            if let fired = state.record(november)?.firedAt {
                #expect(fired < UTCTimestamp.parse("2026-12-01T00:05:00Z")!)
            }
        }
    }
}
