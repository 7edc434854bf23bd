import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// Failures the API reports: failed tasks, unknown ledgers, ledgers without a model.
/// The daemon retries what can succeed, with backoff, and never stalls other ledgers.
@Suite("Task and ledger failures")
struct FailureTests {
    @Test("a task that always fails is fired again twice, spaced by the doubling failed_task_backoff, then recorded failed")
    func failedTasks() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_fail1")], failureRate: 1), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_fail1", cadence: "monthly", first: "2026-10-01")])
            let period = try #require(Fixture.due(h.schedulePath, ledger: "lgr_fail1", at: Fixture.now).first)
            let running = try await h.launch()
            let state = await running.drive(maxVirtualSeconds: 86_400) { Fixture.allTerminal($0, ledger: "lgr_fail1", count: 1) }
            try await running.stop()
            let record = try #require(state.record(PeriodKey(ledgerID: "lgr_fail1", periodStart: period.startTime)))
            #expect(record.lastEvent == .failed)
            #expect(record.lastError?.contains("Model run failed: simulated failure") == true)
            #expect(record.attempts == 3)
            let events = try Fixture.events(h.journalPath, ledger: "lgr_fail1", start: period.startTime)
            #expect(events.filter { $0 == "task_failed" }.count == 2)
            #expect(events.filter { $0 == "intent" }.count == 3)
            #expect(events.last == "failed")
            for line in try Fixture.journalLines(h.journalPath) where line["event"] as? String == "task_failed" {
                #expect((line["error"] as? String)?.contains("Model run failed: simulated failure") == true)
            }
            // Re-fires wait failed_task_backoff (PT15M), doubling: no tight loop.
            let posts = Fixture.requests(await h.sim.requests(), .batchGenerations, ledger: "lgr_fail1")
            #expect(posts.count == 3)
            if posts.count == 3 {
                #expect(Fixture.seconds(posts[0].time, posts[1].time) >= 900)
                #expect(Fixture.seconds(posts[1].time, posts[2].time) >= 1800)
            }
        }
    }

    @Test("a ledger the API does not know is held (its batches cannot be listed), re-checked with backoff, and the others carry on")
    func unknownLedger() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_known1")]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [
                Fixture.ledgerJSON("lgr_ghost1", cadence: "daily", first: "2026-11-20"),
                Fixture.ledgerJSON("lgr_known1", cadence: "monthly", first: "2026-09-01"),
            ])
            let known = try Fixture.due(h.schedulePath, ledger: "lgr_known1", at: Fixture.now)
            let ghost = try #require(Fixture.due(h.schedulePath, ledger: "lgr_ghost1", at: Fixture.now).first)
            let running = try await h.launch()
            // One virtual day.
            let state = await running.drive(maxVirtualSeconds: 86_400) { _ in false }
            try await running.stop()
            #expect(Fixture.allTerminal(state, ledger: "lgr_known1", count: known.count))
            #expect(state.records(ledgerID: "lgr_known1").values.allSatisfy { $0.lastEvent == .completed })
            let record = try #require(state.record(PeriodKey(ledgerID: "lgr_ghost1", periodStart: ghost.startTime)))
            // Look before you fire: the listing of its batches is refused (404), so it is held, never POSTed.
            #expect(record.lastEvent == .held)
            #expect(record.lastError?.contains("record not found") == true)
            // Nothing was generated, so nothing else of the ghost ledger was fired meanwhile.
            #expect(state.records(ledgerID: "lgr_ghost1").count == 1)
            #expect(Fixture.requests(await h.sim.requests(), .batchGenerations, ledger: "lgr_ghost1").isEmpty)
            let posts = Fixture.requests(await h.sim.requests(), .ledgerBatches, ledger: "lgr_ghost1")
            // 5 min doubling to 80 min: about 22 checks a day, not thousands.
            #expect(posts.count >= 5)
            #expect(posts.count <= 25, "the unknown ledger was POSTed \(posts.count) times in one virtual day")
            for i in 1..<max(1, posts.count) {
                let gap = Fixture.seconds(posts[i - 1].time, posts[i].time)
                let expected = min(300 * pow(2, Double(i - 1)), 4800)
                #expect(gap >= expected - 1, "re-check \(i) came \(gap) s after the previous one; expected at least \(expected) s")
            }
        }
    }

    @Test("an unavailable ledger waiting for its re-check does not hold an in-flight slot that healthy ledgers need")
    func unavailableLedgerKeepsNoSlot() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_known2")]), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [
                    Fixture.ledgerJSON("lgr_ghost2", cadence: "monthly", first: "2026-10-01"),
                    Fixture.ledgerJSON("lgr_known2", cadence: "monthly", first: "2026-09-01"),
                ],
                extra: #""limits": {"max_in_flight": 1}"#)
            let running = try await h.launch()
            let state = await running.drive(maxVirtualSeconds: 86_400) { Fixture.allTerminal($0, ledger: "lgr_known2", count: 2) }
            try await running.stop()
            #expect(state.records(ledgerID: "lgr_ghost2").values.first?.lastEvent == .held)
            #expect(Fixture.allTerminal(state, ledger: "lgr_known2", count: 2), "the healthy ledger never ran while the unknown one waited for its re-check")
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_known2").count == 2)
        }
    }

    @Test("a ledger without a model (422) is journaled not_fired with the API's message; other ledgers are unaffected")
    func ledgerWithoutModel() async throws {
        let ledgers = [Fixture.ledger("lgr_nomodel1", model: false), Fixture.ledger("lgr_fine1")]
        try await DaemonHarness.with(config: Fixture.config(ledgers), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [
                Fixture.ledgerJSON("lgr_nomodel1", cadence: "monthly", first: "2026-09-01"),
                Fixture.ledgerJSON("lgr_fine1", cadence: "weekly", first: "2026-10-05"),
            ])
            let fine = try Fixture.due(h.schedulePath, ledger: "lgr_fine1", at: Fixture.now)
            let noModel = try #require(Fixture.due(h.schedulePath, ledger: "lgr_nomodel1", at: Fixture.now).first)
            let running = try await h.launch()
            let state = await running.drive(maxVirtualSeconds: 6 * 3600) { _ in false }
            try await running.stop()
            #expect(Fixture.allTerminal(state, ledger: "lgr_fine1", count: fine.count))
            #expect(state.records(ledgerID: "lgr_fine1").values.allSatisfy { $0.lastEvent == .completed })
            let record = try #require(state.record(PeriodKey(ledgerID: "lgr_nomodel1", periodStart: noModel.startTime)))
            #expect(record.lastEvent == .notFired)
            #expect(record.lastError?.contains("422") == true)
            #expect(record.lastError?.contains("ledger has no linked model") == true)
            let posts = Fixture.requests(await h.sim.requests(), .batchGenerations, ledger: "lgr_nomodel1")
            #expect(posts.allSatisfy { $0.status == 422 })
            #expect(posts.count <= 9, "the ledger without a model was POSTed \(posts.count) times in 6 virtual hours")
        }
    }

    @Test("an API outage (503 on every request) leaves periods held or not_fired; after it, every period completes once")
    func outageThenRecovery() async throws {
        let faults = [FaultRule(kind: .serviceUnavailable(retryAfterSeconds: 10), count: 40)]
        let sims = [Fixture.ledger("lgr_outage1"), Fixture.ledger("lgr_outage2")]
        try await DaemonHarness.with(config: Fixture.config(sims, faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [
                Fixture.ledgerJSON("lgr_outage1", cadence: "monthly", first: "2026-08-01"),
                Fixture.ledgerJSON("lgr_outage2", cadence: "weekly", first: "2026-10-19"),
            ])
            let running = try await h.launch()
            let state = await running.drive(maxVirtualSeconds: 86_400) { s in
                Fixture.allTerminal(s, ledger: "lgr_outage1", count: 3) && Fixture.allTerminal(s, ledger: "lgr_outage2", count: 5)
            }
            try await running.stop()
            #expect(Fixture.allTerminal(state, ledger: "lgr_outage1", count: 3))
            #expect(Fixture.allTerminal(state, ledger: "lgr_outage2", count: 5))
            #expect(state.ledgers.values.allSatisfy { $0.values.allSatisfy { $0.lastEvent == .completed } })
            // The listing before each POST meets the outage first: the ledgers are held (cannot
            // verify), or a POST that got through the check is refused and journaled not_fired.
            let traces = try Fixture.journalLines(h.journalPath).filter { ["not_fired", "held"].contains($0["event"] as? String) }
            #expect(!traces.isEmpty, "the outage left no trace in the journal")
            #expect(traces.allSatisfy { ($0["error"] as? String)?.contains("503") == true })
            let requests = await h.sim.requests()
            #expect(requests.filter { $0.status == 503 }.count == 40)
            for ledger in ["lgr_outage1", "lgr_outage2"] {
                #expect(Fixture.processedPosts(requests, ledger: ledger).values.allSatisfy { $0 == 1 })
            }
        }
    }

    @Test("a wrong API token: 401 is not retried, every ledger is held naming the API's message, nothing is POSTed, the token never appears")
    func wrongToken() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_token1"), Fixture.ledger("lgr_token2")]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [
                Fixture.ledgerJSON("lgr_token1", cadence: "monthly", first: "2026-10-01"),
                Fixture.ledgerJSON("lgr_token2", cadence: "monthly", first: "2026-10-01"),
            ])
            let secret = "wrong-token-5f3a9c"
            let (scheduler, httpClient) = try h.daemon(token: secret).prepare()
            let run = Task { try await scheduler.run() }
            await scheduler.waitUntilRunning()
            // Drive one virtual hour, wake-up by wake-up.
            let limit = h.clock.now().addingTimeInterval(3600)
            for _ in 0..<200 {
                await scheduler.poke()
                await scheduler.settle()
                guard let next = await scheduler.snapshot.nextWakeup, next <= limit else { break }
                h.clock.advance(to: max(next, h.clock.now()))
            }
            let state = await scheduler.snapshot.state
            run.cancel()
            _ = try? await run.value
            try await httpClient?.shutdown()
            for ledger in ["lgr_token1", "lgr_token2"] {
                let record = try #require(state.records(ledgerID: ledger).values.first)
                #expect(record.lastEvent == .held)
                #expect(record.lastError?.contains("401") == true)
                #expect(record.lastError?.contains("unauthorized") == true)
            }
            let requests = await h.sim.requests()
            // Not retried: each check is one POST, and checks back off (5, 10, 20 min: at most 4 in an hour).
            #expect(Fixture.requests(requests, .batchGenerations).isEmpty)
            let listings = Fixture.requests(requests, .ledgerBatches)
            #expect(listings.allSatisfy { $0.status == 401 })
            #expect(listings.count <= 8, "\(listings.count) listings with a wrong token in one virtual hour")
            #expect(!(try String(contentsOfFile: h.journalPath, encoding: .utf8)).contains(secret), "the token is in the journal")
        }
    }
}
