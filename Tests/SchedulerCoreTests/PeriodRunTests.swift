import Foundation
import Testing
import SchedulerCore

/// The ledger and period every PeriodRun test drives: Berlin monthly, March 2025.
enum RunFixture {
    static let berlin = zone("Europe/Berlin")
    static let ledger = LedgerSchedule(
        id: "lgr_test1", cadence: .monthly, timeZone: berlin, firstPeriodStart: instant("2024-12-31T23:00:00Z"),
        settleDelay: ISODuration("PT6H") ?? .zero)
    static var previewLedger: LedgerSchedule {
        var l = ledger
        l.preview = true
        return l
    }
    static let period = ledger.calendar.period(containing: instant("2025-03-15T00:00:00Z"))
    static let key = PeriodKey(ledgerID: "lgr_test1", periodStart: "2025-02-28T23:00:00.000Z")
    static let t0 = instant("2025-04-01T04:00:00Z")

    static func run(_ record: PeriodRecord? = nil, ledger: LedgerSchedule = ledger, polling: PollingPolicy = .init(),
                    recovery: RecoveryPolicy = .init()) -> PeriodRun {
        PeriodRun(ledger: ledger, period: period, record: record, polling: polling, recovery: recovery)
    }

    /// The record the journal fold gives for `events` on this period, one second apart from `t0`.
    static func record(_ events: [JournalEvent], task: Int? = 42, from start: Date = t0) -> PeriodRecord? {
        var state = JournalState()
        for (i, event) in events.enumerated() {
            state.apply(JournalEntry(
                time: start.addingTimeInterval(Double(i)), ledgerID: ledger.id, periodStart: period.startTime,
                periodEnd: period.endTime, event: event, taskID: event == .intent ? nil : task))
        }
        return state.record(key)
    }

    static func entries(_ actions: [PeriodRun.Action]) -> [JournalEntry] {
        actions.compactMap { if case .record(let e) = $0 { e } else { nil } }
    }

    static func events(_ actions: [PeriodRun.Action]) -> [JournalEvent] { entries(actions).map(\.event) }

    static func hasPost(_ actions: [PeriodRun.Action]) -> Bool { actions.contains(.post) }

    static func isIntent(_ action: PeriodRun.Action) -> Bool {
        if case .record(let e) = action { return e.event == .intent }
        return false
    }

    static func replayed(_ journal: [JournalEntry]) -> PeriodRecord? {
        var state = JournalState(keepsEveryRecord: true)
        for e in journal { state.apply(e) }
        return state.record(key)
    }

    static let unknown = APIErrorSummary(kind: .outcomeUnknown, message: "request timed out after 30 s")
    static let refused = APIErrorSummary(kind: .refused, status: 422, message: "ledger lgr_test1 has no model")
    static let unreachable = APIErrorSummary(kind: .unreachable, message: "connection refused")
}

@Suite("PeriodRun: one period from due to a terminal event")
struct PeriodRunTests {
    typealias F = RunFixture

    // MARK: - Firing

    @Test("a fresh start records intent, then posts")
    func freshStart() throws {
        var run = F.run()
        let actions = run.start(now: F.t0)
        try #require(actions.count == 2)
        #expect(actions[1] == .post)
        guard case .record(let intent) = actions[0] else {
            Issue.record("first action must be the intent record, got \(actions)")
            return
        }
        #expect(intent == JournalEntry(time: F.t0, ledgerID: "lgr_test1", periodStart: "2025-02-28T23:00:00.000Z",
                                       periodEnd: "2025-03-31T21:59:59.000Z", event: .intent, attempt: 1))
        #expect(run.record?.lastEvent == .intent)
        #expect(run.record?.isInFlight == true)
        #expect(run.key == F.key)
        #expect(!run.isFinished)
    }

    @Test("postAccepted records fired with the task id and polls about 2 s later")
    func accepted() {
        var run = F.run()
        _ = run.start(now: F.t0)
        let at = F.t0.addingTimeInterval(0.4)
        let actions = run.postAccepted(taskID: 42, state: "pending", now: at)
        #expect(actions == [
            .record(JournalEntry(time: at, ledgerID: "lgr_test1", periodStart: F.period.startTime, periodEnd: F.period.endTime,
                                 event: .fired, taskID: 42, attempt: 1, state: "pending")),
            .poll(taskID: 42, at: at.addingTimeInterval(2)),
        ])
        #expect(run.taskID == 42)
        #expect(run.record?.firedAt == at)
    }

    @Test("without a progress signal, poll intervals grow ×2 from 4 s and cap at 60 s, each within ±20 % jitter", arguments: [UInt64(1), 2, 3, 42, 0xDEADBEEF])
    func pollBackoff(_ seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var run = F.run()
        _ = run.start(now: F.t0)
        var actions = run.postAccepted(taskID: 42, state: "pending", now: F.t0)
        var now = F.t0
        var delays: [Double] = []
        for _ in 0..<12 {
            guard case .poll(42, let at)? = actions.last else {
                Issue.record("expected a poll, got \(actions)")
                return
            }
            delays.append(at.timeIntervalSince(now))
            now = at
            actions = run.pollReturned(state: "pending", progress: nil, errorMessage: nil, now: now, using: &rng)
            #expect(actions.count == 1, "no journal line while nothing changes")
        }
        #expect(delays[0] == 2)
        let ceilings: [Double] = [4, 8, 16, 32, 60, 60, 60, 60, 60, 60, 60]
        for (delay, ceiling) in zip(delays.dropFirst(), ceilings) {
            #expect(delay <= min(ceiling * 1.2, 60) && delay >= ceiling * 0.8, "delay \(delay) for ceiling \(ceiling)")
        }
        #expect(delays.max() ?? 0 <= 60)
    }

    @Test("the same seed gives the same poll schedule")
    func pollDeterministic() {
        func schedule(seed: UInt64) -> [Date] {
            var rng = SplitMix64(seed: seed)
            var run = F.run()
            _ = run.start(now: F.t0)
            _ = run.postAccepted(taskID: 1, state: "pending", now: F.t0)
            var now = F.t0.addingTimeInterval(2)
            var out: [Date] = []
            for _ in 0..<6 {
                guard case .poll(_, let at)? = run.pollReturned(state: "pending", progress: nil, errorMessage: nil, now: now, using: &rng).last else { return out }
                out.append(at)
                now = at
            }
            return out
        }
        #expect(schedule(seed: 7) == schedule(seed: 7))
        #expect(schedule(seed: 7) != schedule(seed: 8))
    }

    @Test("progress is journaled only when state or progress changes")
    func progressLines() {
        var rng = SplitMix64(seed: 1)
        var run = F.run()
        _ = run.start(now: F.t0)
        _ = run.postAccepted(taskID: 42, state: "pending", now: F.t0)
        let t = F.t0.addingTimeInterval(2)
        #expect(F.events(run.pollReturned(state: "pending", progress: nil, errorMessage: nil, now: t, using: &rng)) == [])
        let changed = run.pollReturned(state: "processing", progress: 10, errorMessage: nil, now: t, using: &rng)
        #expect(F.entries(changed).map { [$0.state, $0.progress.map(String.init)] } == [["processing", "10"]])
        #expect(F.entries(changed).first?.taskID == 42)
        #expect(F.events(run.pollReturned(state: "processing", progress: 10, errorMessage: nil, now: t, using: &rng)) == [])
        #expect(F.events(run.pollReturned(state: "processing", progress: nil, errorMessage: nil, now: t, using: &rng)) == [])
        #expect(F.events(run.pollReturned(state: "processing", progress: 55, errorMessage: nil, now: t, using: &rng)) == [.progress])
        #expect(run.record?.progress == 55)
    }

    @Test("complete records completed and finishes")
    func complete() {
        var rng = SplitMix64(seed: 1)
        var run = F.run()
        _ = run.start(now: F.t0)
        _ = run.postAccepted(taskID: 42, state: "pending", now: F.t0)
        let t = F.t0.addingTimeInterval(30)
        let actions = run.pollReturned(state: "complete", progress: nil, errorMessage: nil, now: t, using: &rng)
        #expect(actions == [
            .record(JournalEntry(time: t, ledgerID: "lgr_test1", periodStart: F.period.startTime, periodEnd: F.period.endTime,
                                 event: .completed, taskID: 42, attempt: 1, state: "complete", progress: 100)),
            .finished(.completed),
        ])
        #expect(run.isFinished)
        #expect(run.start(now: t) == [.finished(.completed)])
    }

    // MARK: - Failed tasks

    @Test("a failed task is fired again after a backoff, then recorded failed with the API's message")
    func failedTaskRetries() throws {
        var rng = SplitMix64(seed: 1)
        var run = F.run()
        var now = F.t0
        _ = run.start(now: now)
        _ = run.postAccepted(taskID: 1, state: "pending", now: now)

        // First failure: task_failed, restart in 15 min.
        now = now.addingTimeInterval(60)
        var actions = run.pollReturned(state: "failed", progress: nil, errorMessage: "model crashed", now: now, using: &rng)
        #expect(F.events(actions) == [.taskFailed])
        #expect(F.entries(actions).first?.error == "task 1 failed: model crashed")
        #expect(F.entries(actions).first?.detail == "will fire again (retry 1 of 2)")
        #expect(actions.last == .restart(at: now.addingTimeInterval(900)))
        #expect(run.record?.taskFailures == 1)
        #expect(!run.isFinished)

        // Too early: only a later restart, never a post.
        #expect(run.start(now: now.addingTimeInterval(899)) == [.restart(at: now.addingTimeInterval(900))])
        // Due: a new intent (attempt 2) and a post.
        now = now.addingTimeInterval(900)
        actions = run.start(now: now)
        #expect(F.events(actions) == [.intent])
        #expect(F.entries(actions).first?.attempt == 2)
        #expect(actions.last == .post)
        _ = run.postAccepted(taskID: 2, state: "pending", now: now)

        // Second failure: restart after 30 min.
        now = now.addingTimeInterval(60)
        actions = run.pollReturned(state: "failed", progress: nil, errorMessage: "again", now: now, using: &rng)
        #expect(F.events(actions) == [.taskFailed])
        #expect(actions.last == .restart(at: now.addingTimeInterval(1800)))
        now = now.addingTimeInterval(1800)
        _ = run.start(now: now)
        _ = run.postAccepted(taskID: 3, state: "pending", now: now)

        // Third failure, no retries left: failed with the API's message.
        now = now.addingTimeInterval(60)
        actions = run.pollReturned(state: "failed", progress: nil, errorMessage: "ledger data invalid: 3 readings missing", now: now, using: &rng)
        #expect(F.events(actions) == [.failed])
        #expect(F.entries(actions).first?.error == "task 3 failed: ledger data invalid: 3 readings missing")
        #expect(F.entries(actions).first?.taskID == 3)
        #expect(actions.last == .finished(.failed))
        #expect(run.record?.attempts == 3)
        #expect(run.isFinished)
    }

    @Test("with no retries configured the first failure is final; a missing message is said so")
    func noRetries() {
        var rng = SplitMix64(seed: 1)
        var run = F.run(recovery: RecoveryPolicy(failedTaskRetries: 0))
        _ = run.start(now: F.t0)
        _ = run.postAccepted(taskID: 5, state: "pending", now: F.t0)
        let actions = run.pollReturned(state: "failed", progress: nil, errorMessage: nil, now: F.t0, using: &rng)
        #expect(F.entries(actions).map(\.event) == [.failed])
        #expect(F.entries(actions).first?.error == "task 5 failed: the API gave no error_message")
    }

    @Test("a task that outlives task_timeout is recorded failed with a clear message")
    func taskTimeout() {
        var rng = SplitMix64(seed: 1)
        var run = F.run(polling: PollingPolicy(taskTimeout: .seconds(3600)))
        _ = run.start(now: F.t0)
        _ = run.postAccepted(taskID: 42, state: "pending", now: F.t0)
        let almost = run.pollReturned(state: "pending", progress: nil, errorMessage: nil, now: F.t0.addingTimeInterval(3599), using: &rng)
        #expect(F.events(almost).isEmpty)
        let t = F.t0.addingTimeInterval(3600)
        let actions = run.pollReturned(state: "pending", progress: nil, errorMessage: nil, now: t, using: &rng)
        #expect(F.events(actions) == [.failed])
        #expect(F.entries(actions).first?.error == "task 42 did not finish within PT1H (task_timeout); it may still be running on the server: check the ledger before retrying")
        #expect(actions.last == .finished(.failed))
        // Failed polls count against the same clock.
        var other = F.run(polling: PollingPolicy(taskTimeout: .seconds(3600)))
        _ = other.start(now: F.t0)
        _ = other.postAccepted(taskID: 42, state: "pending", now: F.t0)
        let failedPoll = other.pollFailed(APIErrorSummary(kind: .unreachable, status: 503, message: "unavailable"), now: t, using: &rng)
        #expect(F.events(failedPoll) == [.failed])
    }

    @Test("a failed poll keeps polling with backoff; a 404 task is reconciled")
    func pollFailures() {
        var rng = SplitMix64(seed: 1)
        var run = F.run()
        _ = run.start(now: F.t0)
        _ = run.postAccepted(taskID: 42, state: "pending", now: F.t0)
        let t = F.t0.addingTimeInterval(2)
        let again = run.pollFailed(APIErrorSummary(kind: .unreachable, status: 503, message: "unavailable"), now: t, using: &rng)
        guard case .poll(42, let at)? = again.last, again.count == 1 else {
            Issue.record("expected one poll, got \(again)")
            return
        }
        #expect(at.timeIntervalSince(t) >= 3.2 && at.timeIntervalSince(t) <= 4)
        let gone = run.pollFailed(APIErrorSummary(kind: .refused, status: 404, message: "not found"), now: at, using: &rng)
        #expect(F.events(gone) == [.reconciling])
        #expect(F.entries(gone).first?.error == "task 42 is unknown to the API (404)")
        #expect(gone.last == .checkBatches(at: at.addingTimeInterval(30)))
        #expect(!F.hasPost(gone))
    }

    // MARK: - Unknown outcome: reconcile, never re-POST

    @Test("outcome unknown → reconciling → the period's batches found → completed with their ids")
    func reconcileFound() {
        var run = F.run()
        _ = run.start(now: F.t0)
        let actions = run.postFailed(F.unknown, now: F.t0)
        #expect(F.events(actions) == [.reconciling])
        #expect(F.entries(actions).first?.error == "request timed out after 30 s")
        #expect(actions.last == .checkBatches(at: F.t0.addingTimeInterval(30)))
        #expect(run.record?.reconcilingSince == F.t0)

        let t1 = F.t0.addingTimeInterval(30)
        let nothing = run.batchesReturned([(id: "bat_feb", start: "2025-01-31T23:00:00.000Z", end: "2025-02-28T22:59:59.000Z")], now: t1)
        #expect(nothing == [.checkBatches(at: t1.addingTimeInterval(60))])

        let t2 = t1.addingTimeInterval(60)
        let found = run.batchesReturned([
            (id: "bat_b", start: "2025-02-28T23:00:00.000Z", end: "2025-03-31T21:59:59.000Z"),
            (id: "bat_feb", start: "2025-01-31T23:00:00.000Z", end: "2025-02-28T22:59:59.000Z"),
            (id: "bat_a", start: "2025-03-10T00:00:00+01:00", end: "2025-03-20T00:00:00Z"),
            (id: "bat_apr", start: "2025-03-31T22:00:00.000Z", end: "2025-04-30T21:59:59.000Z"),
            (id: "bat_bad", start: nil, end: "2025-03-20T00:00:00Z"),
            (id: "bat_garbage", start: "yesterday", end: "today"),
        ], now: t2)
        #expect(found == [
            .record(JournalEntry(time: t2, ledgerID: "lgr_test1", periodStart: F.period.startTime, periodEnd: F.period.endTime,
                                 event: .completed, attempt: 1, batchIDs: ["bat_a", "bat_b"],
                                 detail: "reconciled: the API has batches for this period")),
            .finished(.completed),
        ])
        #expect(run.record?.batchIDs == ["bat_a", "bat_b"])
    }

    @Test("nothing found within the reconcile window → ambiguous, naming the retry command")
    func reconcileAmbiguous() throws {
        var run = F.run()
        _ = run.start(now: F.t0)
        var actions = run.postFailed(F.unknown, now: F.t0)
        var checks: [Date] = []
        for _ in 0..<100 {
            guard case .checkBatches(let at)? = actions.last else { break }
            #expect(!F.hasPost(actions))
            checks.append(at)
            actions = run.batchesReturned([], now: at)
        }
        #expect(F.events(actions) == [.ambiguous])
        #expect(actions.last == .finished(.ambiguous))
        let error = try #require(F.entries(actions).first?.error)
        #expect(error == "POST outcome unknown (request timed out after 30 s) and no batches for this period appeared within PT30M; check the ledger, then run `mangrove-scheduler retry --ledger lgr_test1 --period 2025-02-28T23:00:00.000Z` if nothing was generated")
        // Checks back off 30 s, 60 s, 120 s, 240 s, then every 300 s, and stop once 30 min have passed.
        let gaps = zip([F.t0] + checks, checks).map { $1.timeIntervalSince($0) }
        #expect(Array(gaps.prefix(6)) == [30, 60, 120, 240, 300, 300])
        #expect(checks.last.map { $0.timeIntervalSince(F.t0) >= 1800 } == true)
        #expect(checks.dropLast().allSatisfy { $0.timeIntervalSince(F.t0) < 1800 })
    }

    @Test("failed batch listings never turn into ambiguous: it keeps looking until one listing succeeds")
    func reconcileNeedsOneAnswer() {
        var run = F.run()
        _ = run.start(now: F.t0)
        var actions = run.postFailed(F.unknown, now: F.t0)
        var last = F.t0
        for _ in 0..<30 {
            guard case .checkBatches(let at)? = actions.last else { break }
            last = at
            actions = run.batchesFailed(APIErrorSummary(kind: .unreachable, message: "down"), now: at)
        }
        #expect(F.events(actions).isEmpty)
        #expect(last.timeIntervalSince(F.t0) > 1800)
        let answered = run.batchesReturned([], now: last)
        #expect(F.events(answered) == [.ambiguous])
    }

    // MARK: - Refused and unreachable

    @Test("refused or unreachable: not_fired and the ledger is held; then fired again", arguments: [F.refused, F.unreachable])
    func notFired(_ error: APIErrorSummary) {
        var run = F.run()
        _ = run.start(now: F.t0)
        let actions = run.postFailed(error, now: F.t0)
        #expect(F.events(actions) == [.notFired])
        #expect(F.entries(actions).first?.error == error.message)
        #expect(actions.last == .holdLedger(until: F.t0.addingTimeInterval(300), reason: error.message))
        #expect(!run.isFinished)
        // Nothing was generated, so the retry is a plain fire.
        let t = F.t0.addingTimeInterval(300)
        let again = run.start(now: t)
        #expect(F.events(again) == [.intent])
        #expect(F.entries(again).first?.attempt == 2)
        #expect(again.last == .post)
        // The hold doubles while the ledger keeps refusing.
        #expect(run.postFailed(error, now: t).last == .holdLedger(until: t.addingTimeInterval(600), reason: error.message))
    }

    @Test("ledger holds double up to 16×")
    func holdCap() {
        var run = F.run()
        var now = F.t0
        var holds: [Double] = []
        for _ in 0..<8 {
            _ = run.start(now: now)
            guard case .holdLedger(let until, _)? = run.postFailed(F.refused, now: now).last else { return }
            holds.append(until.timeIntervalSince(now))
            now = until
        }
        #expect(holds == [300, 600, 1200, 2400, 4800, 4800, 4800, 4800])
    }

    // MARK: - Resume from the journal

    @Test("resume from intent: reconcile, never post")
    func resumeIntent() {
        var run = F.run(F.record([.intent]))
        let t = F.t0.addingTimeInterval(100)
        let actions = run.start(now: t)
        #expect(F.events(actions) == [.reconciling])
        #expect(F.entries(actions).first?.error == "the daemon stopped after recording intent, before the API's answer was journaled")
        #expect(actions.last == .checkBatches(at: t.addingTimeInterval(30)))
        #expect(!F.hasPost(actions))
    }

    @Test("resume from fired or progress: poll now, never post", arguments: [[JournalEvent.intent, .fired], [.intent, .fired, .progress]])
    func resumeFired(_ events: [JournalEvent]) {
        var run = F.run(F.record(events, task: 77))
        let t = F.t0.addingTimeInterval(100)
        #expect(run.start(now: t) == [.poll(taskID: 77, at: t)])
    }

    @Test("resume from fired without a task id: reconcile")
    func resumeFiredWithoutTask() {
        var run = F.run(F.record([.intent, .fired], task: nil))
        let actions = run.start(now: F.t0)
        #expect(F.events(actions) == [.reconciling])
        #expect(!F.hasPost(actions))
    }

    @Test("resume from reconciling: check the batches now")
    func resumeReconciling() {
        var run = F.run(F.record([.intent, .reconciling]))
        #expect(run.start(now: F.t0) == [.checkBatches(at: F.t0)])
    }

    @Test("resume from a terminal record: finished, nothing else", arguments: [JournalEvent.completed, .failed, .skipped, .ambiguous])
    func resumeTerminal(_ event: JournalEvent) {
        var run = F.run(F.record([.intent, .fired, event]))
        #expect(run.start(now: F.t0) == [.finished(event)])
        #expect(run.isFinished)
    }

    @Test("resume after not_fired or retry_requested: fire", arguments: [[JournalEvent.intent, .notFired], [.intent, .fired, .failed, .retryRequested]])
    func resumeRefire(_ events: [JournalEvent]) {
        var run = F.run(F.record(events))
        let actions = run.start(now: F.t0)
        #expect(F.events(actions) == [.intent])
        #expect(actions.last == .post)
    }

    @Test("resume after task_failed waits out the backoff from the failure time")
    func resumeTaskFailed() {
        let record = F.record([.intent, .fired, .taskFailed])
        let failedAt = F.t0.addingTimeInterval(2)
        var early = F.run(record)
        #expect(early.start(now: failedAt.addingTimeInterval(10)) == [.restart(at: failedAt.addingTimeInterval(900))])
        var due = F.run(record)
        #expect(F.events(due.start(now: failedAt.addingTimeInterval(900))) == [.intent])
    }

    @Test("resume after preview_empty re-checks after empty_preview_recheck")
    func resumePreviewEmpty() {
        let record = F.record([.previewEmpty])
        var early = F.run(record, ledger: F.previewLedger)
        #expect(early.start(now: F.t0.addingTimeInterval(60)) == [.restart(at: F.t0.addingTimeInterval(3600))])
        var due = F.run(record, ledger: F.previewLedger)
        #expect(due.start(now: F.t0.addingTimeInterval(3600)) == [.preview])
    }

    // MARK: - Preview

    @Test("preview 0 → preview_empty and re-check; skipped after the limit")
    func previewEmptyThenSkipped() {
        var run = F.run(ledger: F.previewLedger, recovery: RecoveryPolicy(emptyPreviewLimit: 3))
        var now = F.t0
        #expect(run.start(now: now) == [.preview])
        for n in 1...2 {
            let actions = run.previewReturned([(id: "lgr_test1", count: 0)], now: now)
            #expect(F.events(actions) == [.previewEmpty], "round \(n)")
            #expect(actions.last == .restart(at: now.addingTimeInterval(3600)))
            now = now.addingTimeInterval(3600)
            #expect(run.start(now: now) == [.preview])
        }
        let last = run.previewReturned([(id: "lgr_test1", count: 0)], now: now)
        #expect(F.events(last) == [.skipped])
        #expect(F.entries(last).first?.error == "generate_preview predicted 0 batches 3 times in a row; nothing to generate")
        #expect(last.last == .finished(.skipped))
        #expect(run.isFinished)
    }

    @Test("preview > 0 → intent and post")
    func previewPositive() {
        var run = F.run(ledger: F.previewLedger)
        #expect(run.start(now: F.t0) == [.preview])
        let actions = run.previewReturned([(id: "lgr_other", count: 9), (id: "lgr_test1", count: 4)], now: F.t0)
        #expect(F.events(actions) == [.intent])
        #expect(F.entries(actions).first?.detail == "preview predicts 4 batches")
        #expect(actions.last == .post)
    }

    @Test("a preview without this ledger's entry uses the total")
    func previewTotal() {
        var run = F.run(ledger: F.previewLedger)
        _ = run.start(now: F.t0)
        #expect(F.events(run.previewReturned([(id: "x", count: 1), (id: "y", count: 2)], now: F.t0)) == [.intent])
        var empty = F.run(ledger: F.previewLedger)
        _ = empty.start(now: F.t0)
        #expect(F.events(empty.previewReturned([], now: F.t0)) == [.previewEmpty])
    }

    @Test("a failed preview holds the ledger and journals nothing")
    func previewFailed() {
        var run = F.run(ledger: F.previewLedger)
        _ = run.start(now: F.t0)
        let actions = run.previewFailed(F.refused, now: F.t0)
        #expect(actions == [.holdLedger(until: F.t0.addingTimeInterval(300), reason: "generate_preview failed: ledger lgr_test1 has no model")])
        #expect(run.record == nil)
    }

    // MARK: - The safety property

    /// Records from which firing is safe: nothing was generated, or it cannot have been.
    /// (`held`: nothing was sent; every POST still goes through the daemon's listing check.)
    static let fireable: Set<JournalEvent?> = [nil, .notFired, .retryRequested, .taskFailed, .previewEmpty, .held]

    /// Every record the journal can produce from up to three events (with and without a
    /// task id), at times before and long after any backoff: `start()` posts only from a
    /// fireable record, and only right after journaling intent.
    @Test("start() never returns .post unless the record is nil, not_fired, retry_requested, task_failed, preview_empty or held")
    func startNeverPostsUnsafely() {
        var sequences: [[JournalEvent]] = [[]]
        for length in 1...3 {
            sequences += sequences.filter { $0.count == length - 1 }.flatMap { s in JournalEvent.allCases.map { s + [$0] } }
        }
        let n = JournalEvent.allCases.count
        #expect(sequences.count == 1 + n + n * n + n * n * n)
        var checked = 0
        for events in sequences {
            for task in [42, nil] as [Int?] {
                let record = events.isEmpty ? nil : F.record(events, task: task)
                for ledger in [F.ledger, F.previewLedger] {
                    for offset in [0.0, 60.0, 3_456_000.0] as [Double] {
                        var run = F.run(record, ledger: ledger)
                        let actions = run.start(now: F.t0.addingTimeInterval(offset))
                        checked += 1
                        if let i = actions.firstIndex(of: .post) {
                            #expect(Self.fireable.contains(record?.lastEvent), "\(events) posted: \(actions)")
                            #expect(i > 0 && F.isIntent(actions[i - 1]), "post without intent first: \(actions)")
                        }
                        if record?.isInFlight == true {
                            #expect(!actions.contains(.post) && !actions.contains(.preview), "\(events): \(actions)")
                        }
                        if let r = record, r.isTerminal {
                            #expect(actions == [.finished(r.lastEvent)])
                        }
                    }
                }
            }
        }
        #expect(checked == sequences.count * 2 * 2 * 3)
    }

    /// A random walk through the machine with random API answers and random crashes
    /// (a new run built from the journal so far): every POST follows an intent journaled
    /// right before it, intent only ever follows a fireable event, and the in-memory record
    /// always equals the replay of the journal.
    @Test("random walks with crashes keep at-most-once firing", arguments: 0..<150)
    func randomWalk(_ seed: Int) {
        var rng = SplitMix64(seed: UInt64(seed))
        let ledger = Bool.random(using: &rng) ? F.previewLedger : F.ledger
        let polling = PollingPolicy(firstPollAfter: .seconds(2), maxInterval: .seconds(60), taskTimeout: .seconds(900))
        let recovery = RecoveryPolicy(failedTaskRetries: 2, failedTaskBackoff: .seconds(60), reconcileAfter: .seconds(30),
                                      reconcileWindow: .seconds(600), emptyPreviewLimit: 3)
        var run = F.run(nil, ledger: ledger, polling: polling, recovery: recovery)
        var journal: [JournalEntry] = []
        var now = F.t0
        var actions = run.start(now: now)
        var nextTask = 100
        func inPeriod() -> (id: String, start: String?, end: String?) {
            (id: "bat_\(Int.random(in: 0..<1000, using: &rng))", start: F.period.startTime, end: F.period.endTime)
        }

        for _ in 0..<400 {
            // Invariants on what the machine asked for.
            for (i, action) in actions.enumerated() {
                switch action {
                case .record(let e):
                    if e.event == .intent {
                        #expect(Self.fireable.contains(journal.last?.event), "seed \(seed): intent after \(String(describing: journal.last?.event))")
                    }
                    #expect(e.ledgerID == "lgr_test1" && e.periodStart == F.period.startTime && e.periodEnd == F.period.endTime)
                    #expect(e.time == now)
                    journal.append(e)
                case .post:
                    guard i > 0, case .record(let e) = actions[i - 1], e.event == .intent else {
                        Issue.record("seed \(seed): post without intent right before it: \(actions)")
                        return
                    }
                default:
                    break
                }
            }
            #expect(run.record == F.replayed(journal), "seed \(seed): in-memory record differs from the journal's")

            guard let next = actions.last(where: { if case .record = $0 { false } else { true } }) else {
                Issue.record("seed \(seed): no next step in \(actions)")
                return
            }
            if case .finished(let event) = next {
                #expect(event.isTerminal)
                #expect(journal.last?.event == event)
                return
            }
            // Sometimes the daemon dies here and restarts from the journal.
            if Int.random(in: 0..<10, using: &rng) == 0 {
                now = now.addingTimeInterval(5)
                run = F.run(F.replayed(journal), ledger: ledger, polling: polling, recovery: recovery)
                actions = run.start(now: now)
                continue
            }
            switch next {
            case .post:
                now = now.addingTimeInterval(0.5)
                switch Int.random(in: 0..<6, using: &rng) {
                case 0: actions = run.postFailed(F.refused, now: now)
                case 1: actions = run.postFailed(F.unreachable, now: now)
                case 2: actions = run.postFailed(F.unknown, now: now)
                default:
                    nextTask += 1
                    actions = run.postAccepted(taskID: nextTask, state: "pending", now: now)
                }
            case .poll(_, let at):
                now = max(now, at)
                switch Int.random(in: 0..<10, using: &rng) {
                case 0: actions = run.pollReturned(state: "complete", progress: 100, errorMessage: nil, now: now, using: &rng)
                case 1: actions = run.pollReturned(state: "failed", progress: nil, errorMessage: "boom", now: now, using: &rng)
                case 2: actions = run.pollFailed(APIErrorSummary(kind: .unreachable, status: 503, message: "busy"), now: now, using: &rng)
                case 3: actions = run.pollFailed(APIErrorSummary(kind: .refused, status: 404, message: "gone"), now: now, using: &rng)
                default:
                    actions = run.pollReturned(state: "processing", progress: Int.random(in: 0...99, using: &rng), errorMessage: nil, now: now, using: &rng)
                }
            case .checkBatches(let at):
                now = max(now, at)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: actions = run.batchesReturned([inPeriod()], now: now)
                case 1: actions = run.batchesFailed(F.unreachable, now: now)
                default: actions = run.batchesReturned([], now: now)
                }
            case .restart(let at):
                now = max(now, at)
                actions = run.start(now: now)
            case .holdLedger(let until, _):
                now = max(now, until)
                actions = run.start(now: now)
            case .preview:
                now = now.addingTimeInterval(0.5)
                switch Int.random(in: 0..<4, using: &rng) {
                case 0: actions = run.previewFailed(F.unreachable, now: now)
                case 1: actions = run.previewReturned([(id: "lgr_test1", count: 3)], now: now)
                default: actions = run.previewReturned([(id: "lgr_test1", count: 0)], now: now)
                }
            case .record, .finished, .releaseSlot:
                Issue.record("unreachable")
                return
            }
        }
    }
}

@Suite("APIErrorSummary")
struct APIErrorSummaryTests {
    @Test("fields")
    func fields() {
        let e = APIErrorSummary(kind: .refused, status: 422, message: "bad")
        #expect(e.kind == .refused && e.status == 422 && e.message == "bad")
        #expect(APIErrorSummary(kind: .unreachable, message: "x").status == nil)
    }
}
