import Foundation
import MangroveAPI
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// "Never twice, whatever happened to the journal": before every POST the daemon lists the
/// ledger's batches, and a period that has batches is recorded, never generated again.
/// Each test counts the POSTs the simulator carried out.
@Suite("Look before you fire")
struct LookBeforeFireTests {
    static let ledger = "lgr_look1"
    /// Ten monthly periods (January to October 2026) are due at `Fixture.now`.
    static let schedule = [Fixture.ledgerJSON(ledger, cadence: "monthly", first: "2026-01-01")]
    static let recovery = #""recovery": {"reconcile_window": "PT10M", "reconcile_after": "PT30S"}"#

    static func processed(_ h: DaemonHarness) async -> [String: Int] {
        Fixture.processedPosts(await h.sim.requests(), ledger: ledger)
    }

    static func foundOnAPI(_ record: PeriodRecord?) -> Bool {
        record?.lastEvent == .completed && record?.detail?.hasPrefix(PeriodRun.foundDetailPrefix) == true
            && record?.batchIDs?.isEmpty == false
    }

    @Test("a journal restored from an older copy mid-catch-up: periods generated since the copy are found, not generated again")
    func restoredFromOlderCopy() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: Self.schedule, extra: Self.recovery)
            let first = try await h.launch()
            await first.drive { $0.records(ledgerID: Self.ledger).values.filter { $0.lastEvent == .completed }.count >= 3 }
            // Last night's backup of the state directory.
            let backup = try Data(contentsOf: URL(fileURLWithPath: h.journalPath))
            await first.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 10) }
            try await first.stop()
            #expect(await Self.processed(h).count == 10)

            // The disk died; the backup is restored.
            try backup.write(to: URL(fileURLWithPath: h.journalPath))
            let second = try await h.launch()
            let state = await second.drive(maxVirtualSeconds: 86_400) { Fixture.allTerminal($0, ledger: Self.ledger, count: 10) }
            try await second.stop()
            let counts = await Self.processed(h)
            #expect(counts.count == 10)
            #expect(counts.values.allSatisfy { $0 == 1 }, "a period was generated twice: \(counts)")
            let found = state.records(ledgerID: Self.ledger).values.filter { Self.foundOnAPI($0) }
            #expect(found.count >= 6, "periods generated after the backup should be recorded as found on the API")
        }
    }

    @Test("a period generated in the app for a ledger already in the journal is recorded, not generated")
    func generatedInTheApp() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: Self.schedule, extra: Self.recovery)
            let first = try await h.launch()
            await first.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 10) }
            try await first.stop()

            // While the daemon is down, a colleague generates November in the app.
            h.clock.advance(to: UTCTimestamp.parse("2026-12-01T06:00:00Z")!)
            let batch = await h.sim.createAppBatch(ledgerID: Self.ledger, startTime: "2026-11-01T00:00:00.000Z", endTime: "2026-11-30T23:59:59.000Z")
            let second = try await h.launch()
            let key = PeriodKey(ledgerID: Self.ledger, periodStart: "2026-11-01T00:00:00.000Z")
            let state = await second.drive(maxVirtualSeconds: 3600) { $0.record(key)?.isTerminal == true }
            try await second.stop()
            #expect(Self.foundOnAPI(state.record(key)))
            #expect(state.record(key)?.batchIDs == [try #require(batch).id])
            #expect(await Self.processed(h)["2026-11-01T00:00:00.000Z"] == nil, "November was generated a second time")
            #expect(await Self.processed(h).count == 10)
            let journal = JournalReport.make(state: state, ledgerID: Self.ledger).text()
            #expect(journal.contains("found on the API: \(try #require(batch).id)"))
            let plan = PlanReport.make(schedule: try ScheduleFile.load(path: h.schedulePath).schedule, state: state, now: h.clock.now())
            #expect(plan.text().contains("11 completed (1 found on the API)"))
        }
    }

    @Test("a lost journal while the batch listing fails: nothing is fired until it can be listed", arguments: [
        FaultKind.status(500, retryAfterSeconds: nil), .status(403, retryAfterSeconds: nil), .drop, .garbageBody,
    ])
    func lostJournalListingFails(fault: FaultKind) async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: Self.schedule, extra: Self.recovery)
            let first = try await h.launch()
            await first.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 10) }
            try await first.stop()
            try FileManager.default.removeItem(atPath: h.journalPath)

            await h.sim.setFaults([FaultRule(match: FaultMatcher(method: "GET", endpoint: .ledgerBatches), kind: fault)])
            let notifier = RecordingNotifier()
            let second = try await h.launch(notifier: notifier)
            // Two virtual hours of refused listings.
            let held = await second.drive(maxVirtualSeconds: 7200) { _ in false }
            #expect(await Self.processed(h).count == 10, "a period was POSTed without a listing")
            #expect(Fixture.posts(await h.sim.requests(), ledger: Self.ledger).count == 10)
            let record = held.record(PeriodKey(ledgerID: Self.ledger, periodStart: "2026-01-01T00:00:00.000Z"))
            #expect(record?.lastEvent == .held)
            #expect(record?.detail == PeriodRun.unverifiedDetail)
            #expect(record?.lastError?.contains("cannot list") == true)
            let statuses = notifier.messages.compactMap { message -> String? in
                if case .status(let text) = message { return text }
                return nil
            }
            #expect(statuses.contains { $0.contains("1 held") }, "STATUS= never said the ledger is held: \(statuses)")
            let plan = PlanReport.make(schedule: try ScheduleFile.load(path: h.schedulePath).schedule, state: held, now: h.clock.now())
            #expect(plan.ledgers[0].due.first?.status == "held")

            // The listing works again: every period is found, none generated.
            await h.sim.setFaults([])
            let state = await second.drive(maxVirtualSeconds: 86_400) { Fixture.allTerminal($0, ledger: Self.ledger, count: 10) }
            try await second.stop()
            #expect(Fixture.allTerminal(state, ledger: Self.ledger, count: 10))
            #expect(state.records(ledgerID: Self.ledger).values.allSatisfy { Self.foundOnAPI($0) })
            #expect(await Self.processed(h).count == 10)
            #expect(Fixture.posts(await h.sim.requests(), ledger: Self.ledger).count == 10)
        }
    }

    @Test("a batch that only partly overlaps the period holds the ledger as a conflict; nothing is POSTed")
    func partlyOverlappingBatch() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON(Self.ledger, cadence: "monthly", first: "2026-10-01")], extra: Self.recovery)
            // Someone generated mid-October to mid-November in the app.
            let batch = try #require(await h.sim.createAppBatch(
                ledgerID: Self.ledger, startTime: "2026-10-15T00:00:00.000Z", endTime: "2026-11-14T23:59:59.000Z"))
            let running = try await h.launch()
            let state = await running.drive(maxVirtualSeconds: 7200) { _ in false }
            try await running.stop()
            #expect(Fixture.posts(await h.sim.requests(), ledger: Self.ledger).isEmpty)
            let record = try #require(state.record(PeriodKey(ledgerID: Self.ledger, periodStart: "2026-10-01T00:00:00.000Z")))
            #expect(record.lastEvent == .held)
            #expect(record.lastError?.contains(batch.id) == true)
            #expect(record.lastError?.contains("2026-10-01T00:00:00.000Z") == true)
            let plan = PlanReport.make(schedule: try ScheduleFile.load(path: h.schedulePath).schedule, state: state, now: h.clock.now())
            #expect(plan.ledgers[0].due.first?.status == "conflict")
            // One `held` line, not one per re-check.
            let held = try Fixture.events(h.journalPath, ledger: Self.ledger, start: "2026-10-01T00:00:00.000Z").filter { $0 == "held" }
            #expect(held.count == 1)
        }
    }

    @Test("a failed task whose batches appeared anyway is recorded, not fired again")
    func failedTaskWithBatches() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)], failureRate: 1), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [Fixture.ledgerJSON(Self.ledger, cadence: "monthly", first: "2026-10-01")],
                extra: #""recovery": {"failed_task_backoff": "PT1M", "reconcile_window": "PT10M"}"#)
            let key = PeriodKey(ledgerID: Self.ledger, periodStart: "2026-10-01T00:00:00.000Z")
            let running = try await h.launch()
            await running.drive { $0.record(key)?.lastEvent == .taskFailed }
            // The server reported failure, but its batches show up.
            await h.sim.createAppBatch(ledgerID: Self.ledger, startTime: "2026-10-01T00:00:00.000Z", endTime: "2026-10-31T23:59:59.000Z")
            let state = await running.drive(maxVirtualSeconds: 7200) { $0.record(key)?.isTerminal == true }
            try await running.stop()
            #expect(Self.foundOnAPI(state.record(key)))
            #expect(Fixture.posts(await h.sim.requests(), ledger: Self.ledger).count == 1)
        }
    }

    @Test("retry of an ambiguous period that has batches records them instead of generating it")
    func retryOfPeriodWithBatches() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON(Self.ledger, cadence: "monthly", first: "2026-10-01")])
            let key = PeriodKey(ledgerID: Self.ledger, periodStart: "2026-10-01T00:00:00.000Z")
            let end = "2026-10-31T23:59:59.000Z"
            // An earlier POST's outcome was never learned: the journal says ambiguous.
            let journal = try JournalFile(path: h.journalPath)
            let t = Fixture.now.addingTimeInterval(-7200)
            for (offset, event) in [(0.0, JournalEvent.intent), (1, .reconciling), (1800, .ambiguous)] {
                try journal.append(JournalEntry(time: t.addingTimeInterval(offset), ledgerID: Self.ledger, periodStart: key.periodStart,
                                                periodEnd: end, event: event, attempt: 1, error: event == .intent ? nil : "POST answered 500"))
            }
            journal.close()
            // ... but it did generate the period, and its batches are listed now.
            let batch = try #require(await h.sim.createAppBatch(ledgerID: Self.ledger, startTime: key.periodStart, endTime: end))
            try RetryRequestFile.append(RetryRequest(ledgerID: Self.ledger, periodStart: key.periodStart), journalPath: h.journalPath, now: h.clock.now())
            let running = try await h.launch()
            let state = await running.drive(maxVirtualSeconds: 7200) { $0.record(key)?.lastEvent == .completed }
            try await running.stop()
            #expect(Self.foundOnAPI(state.record(key)))
            #expect(state.record(key)?.batchIDs == [batch.id])
            #expect(Fixture.posts(await h.sim.requests(), ledger: Self.ledger).isEmpty, "the retried period was generated a second time")
        }
    }

    @Test("a deleted lock file does not let a second daemon in")
    func deletedLockFile() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: Self.schedule)
            let first = try await h.launch()
            // A temp-file cleaner or an operator removes anything that looks like a lock.
            for name in try FileManager.default.contentsOfDirectory(atPath: h.folder.path) where name.hasSuffix(".lock") {
                try FileManager.default.removeItem(atPath: h.folder.file(name))
            }
            #expect(throws: JournalError.locked(path: h.journalPath, holderPID: getpid())) {
                _ = try JournalFile(path: h.journalPath)
            }
            #expect(JournalFile.lockHolder(journalPath: h.journalPath) == getpid())
            do {
                _ = try h.daemon().prepare()
                Issue.record("a second daemon started on a locked journal")
            } catch {
                #expect("\(error)".contains("locked by process \(getpid())"))
            }
            await first.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 10) }
            try await first.stop()
            #expect(await Self.processed(h).values.allSatisfy { $0 == 1 })
        }
    }

    @Test("the journal's directory removed under a running daemon stops it before it fires again")
    func journalDirectoryRemoved() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)], duration: 30), start: Fixture.now) { h in
            try FileManager.default.createDirectory(atPath: h.folder.file("state"), withIntermediateDirectories: true)
            try h.writeSchedule(ledgers: Self.schedule)
            var text = try String(contentsOfFile: h.schedulePath, encoding: .utf8)
            text = text.replacingOccurrences(of: #""journal_path": "journal.jsonl""#, with: #""journal_path": "state/journal.jsonl""#)
            try text.write(toFile: h.schedulePath, atomically: true, encoding: .utf8)
            let journalPath = h.folder.file("state/journal.jsonl")
            let running = try await h.launch()
            await running.drive { $0.records(ledgerID: Self.ledger).values.filter(\.isTerminal).count >= 2 }
            let postsBefore = Fixture.posts(await h.sim.requests(), ledger: Self.ledger).count
            try FileManager.default.removeItem(atPath: h.folder.file("state"))
            await running.drive(maxSteps: 200, maxVirtualSeconds: 3600) { _ in false }
            await #expect(throws: JournalError.self) { try await running.stop() }
            let postsAfter = Fixture.posts(await h.sim.requests(), ledger: Self.ledger).count
            #expect(postsAfter <= postsBefore, "the daemon POSTed with its journal gone")
            #expect(!FileManager.default.fileExists(atPath: journalPath))
        }
    }

    @Test("a journal replaced by an older copy under a running daemon stops it")
    func journalReplacedInPlace() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)], duration: 30), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: Self.schedule)
            let running = try await h.launch()
            await running.drive { $0.records(ledgerID: Self.ledger).values.filter(\.isTerminal).count >= 1 }
            let copy = try Data(contentsOf: URL(fileURLWithPath: h.journalPath))
            await running.drive { $0.records(ledgerID: Self.ledger).values.filter(\.isTerminal).count >= 3 }
            // Restored in place (same inode, older content), as `cp backup journal.jsonl` does.
            let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: h.journalPath))
            try handle.truncate(atOffset: 0)
            try handle.write(contentsOf: copy)
            try handle.close()
            await running.drive(maxSteps: 200, maxVirtualSeconds: 3600) { _ in false }
            await #expect(throws: JournalError.self) { try await running.stop() }
            // Restarted on the older copy: nothing generated twice.
            let second = try await h.launch()
            await second.drive(maxVirtualSeconds: 86_400) { Fixture.allTerminal($0, ledger: Self.ledger, count: 10) }
            try await second.stop()
            let counts = await Self.processed(h)
            #expect(counts.count == 10)
            #expect(counts.values.allSatisfy { $0 == 1 }, "a period was generated twice: \(counts)")
        }
    }

    @Test("kill -9 during a Retry-After wait: the period is not_fired, not ambiguous, and generated once")
    func crashDuringRetryAfter() async throws {
        let faults = [FaultRule(match: FaultMatcher(method: "POST", endpoint: .batchGenerations), kind: .status(503, retryAfterSeconds: 240), count: 1)]
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)], faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON(Self.ledger, cadence: "monthly", first: "2026-10-01")])
            let key = PeriodKey(ledgerID: Self.ledger, periodStart: "2026-10-01T00:00:00.000Z")
            let first = try await h.launch()
            let mid = await first.drive { $0.record(key)?.lastEvent == .notFired }
            #expect(mid.record(key)?.lastEvent == .notFired, "the 503 was not journaled before the Retry-After wait")
            await first.crash()
            let second = try await h.launch()
            let state = await second.drive { $0.record(key)?.isTerminal == true }
            try await second.stop()
            #expect(state.record(key)?.lastEvent == .completed)
            #expect(try Fixture.events(h.journalPath, ledger: Self.ledger, start: key.periodStart).filter { $0 == "intent" }.count == 2)
            #expect(await Self.processed(h) == [key.periodStart: 1])
        }
    }

    @Test("steady state: one small listing per generation")
    func steadyStateCost() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON(Self.ledger, cadence: "daily", first: "2026-11-01")])
            let running = try await h.launch()
            await running.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 22) }
            await h.sim.clearRequests()
            // One more day: one period due.
            h.clock.advance(to: UTCTimestamp.parse("2026-11-24T00:00:05Z")!)
            await running.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 23) }
            try await running.stop()
            let requests = await h.sim.requests()
            let listings = Fixture.requests(requests, .ledgerBatches, ledger: Self.ledger)
            #expect(listings.count == 1)
            #expect(listings.first?.query["sort"] == "-created_at")
            #expect(Fixture.posts(requests, ledger: Self.ledger).count == 1)
        }
    }
}
