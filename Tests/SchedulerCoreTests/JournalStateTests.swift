import Foundation
import Testing
import SchedulerCore

@Suite("JournalState: the fold of journal lines into per-period records")
struct JournalStateTests {
    static let ledger = "lgr_abc123def456"
    static let start = "2025-02-28T23:00:00.000Z"
    static let end = "2025-03-31T21:59:59.000Z"
    static let key = PeriodKey(ledgerID: ledger, periodStart: start)
    static let t0 = instant("2025-04-01T04:00:00Z")

    /// Line `i` of a period's history, one second apart.
    static func line(_ i: Int, _ event: JournalEvent, task: Int? = nil, attempt: Int? = nil, state: String? = nil,
                     progress: Int? = nil, error: String? = nil, batchIDs: [String]? = nil, detail: String? = nil,
                     ledger: String = ledger, start: String = start) -> JournalEntry {
        JournalEntry(time: t0.addingTimeInterval(Double(i)), ledgerID: ledger, periodStart: start, periodEnd: end, event: event,
                     taskID: task, attempt: attempt, state: state, progress: progress, error: error, batchIDs: batchIDs, detail: detail)
    }

    static func fold(_ entries: [JournalEntry]) -> JournalState {
        var state = JournalState(keepsEveryRecord: true)
        for e in entries { state.apply(e) }
        return state
    }

    @Test("intent → fired → progress → completed")
    func happyPath() throws {
        let state = Self.fold([
            Self.line(0, .intent, attempt: 1),
            Self.line(1, .fired, task: 7, attempt: 1, state: "pending"),
            Self.line(2, .progress, task: 7, state: "processing", progress: 50),
            Self.line(3, .completed, task: 7, state: "complete", progress: 100),
        ])
        let r = try #require(state.record(Self.key))
        #expect(r.lastEvent == .completed)
        #expect(r.isTerminal)
        #expect(!r.isInFlight)
        #expect(r.taskID == 7)
        #expect(r.attempts == 1)
        #expect(r.state == "complete")
        #expect(r.progress == 100)
        #expect(r.firedAt == Self.t0.addingTimeInterval(1))
        #expect(r.firstTime == Self.t0)
        #expect(r.lastTime == Self.t0.addingTimeInterval(3))
        #expect(r.duration == 3)
        #expect(r.periodEnd == Self.end)
        #expect(r.lastError == nil)
        #expect(state.inFlight.isEmpty)
        #expect(state.lineCount == 4)
    }

    @Test("in flight: intent without fired, fired, progress, reconciling", arguments: [
        [JournalEvent.intent], [.intent, .fired], [.intent, .fired, .progress], [.intent, .reconciling],
        [.intent, .fired, .reconciling],
    ])
    func inFlight(_ events: [JournalEvent]) throws {
        let state = Self.fold(events.enumerated().map { Self.line($0.offset, $0.element, task: $0.element == .intent ? nil : 9) })
        let r = try #require(state.record(Self.key))
        #expect(r.isInFlight)
        #expect(!r.isTerminal)
        #expect(r.duration == nil)
        #expect(state.inFlight == [Self.key])
    }

    @Test("not in flight and not terminal: the period may be fired again", arguments: [
        [JournalEvent.intent, .notFired], [.intent, .fired, .taskFailed], [.previewEmpty], [.intent, .fired, .failed, .retryRequested],
    ])
    func pendingNotInFlight(_ events: [JournalEvent]) throws {
        let state = Self.fold(events.enumerated().map { Self.line($0.offset, $0.element) })
        let r = try #require(state.record(Self.key))
        #expect(!r.isInFlight)
        #expect(!r.isTerminal)
        #expect(state.inFlight.isEmpty)
    }

    @Test("every terminal event ends the period", arguments: [JournalEvent.completed, .failed, .skipped, .ambiguous])
    func terminal(_ event: JournalEvent) throws {
        let state = Self.fold([Self.line(0, .intent), Self.line(1, event, error: "why")])
        let r = try #require(state.record(Self.key))
        #expect(r.isTerminal)
        #expect(!r.isInFlight)
        #expect(r.lastError == "why")
    }

    @Test("task_failed counts, intents count attempts, a new intent clears the old task")
    func taskFailures() throws {
        let state = Self.fold([
            Self.line(0, .intent), Self.line(1, .fired, task: 1, state: "pending"), Self.line(2, .progress, task: 1, progress: 30),
            Self.line(3, .taskFailed, task: 1, error: "task 1 failed: boom"),
            Self.line(4, .intent),
        ])
        var r = try #require(state.record(Self.key))
        #expect(r.taskFailures == 1)
        #expect(r.attempts == 2)
        #expect(r.taskID == nil)
        #expect(r.firedAt == nil)
        #expect(r.state == nil)
        #expect(r.progress == nil)
        #expect(r.lastError == nil)
        #expect(r.isInFlight)

        var more = state
        more.apply(Self.line(5, .fired, task: 2))
        more.apply(Self.line(6, .taskFailed, task: 2, error: "again"))
        r = try #require(more.record(Self.key))
        #expect(r.taskFailures == 2)
        #expect(r.taskID == 2)
        #expect(r.lastError == "again")
    }

    @Test("an intent's attempt number is never lower than the line says")
    func attemptFromLine() throws {
        let state = Self.fold([Self.line(0, .intent, attempt: 4)])
        #expect(try #require(state.record(Self.key)).attempts == 4)
        let counted = Self.fold([Self.line(0, .intent, attempt: 1), Self.line(1, .notFired), Self.line(2, .intent, attempt: 1)])
        #expect(try #require(counted.record(Self.key)).attempts == 2)
    }

    @Test("retry_requested resets failures, empty previews and reconciliation")
    func retryRequested() throws {
        let state = Self.fold([
            Self.line(0, .previewEmpty), Self.line(1, .previewEmpty),
            Self.line(2, .intent), Self.line(3, .reconciling, error: "timeout"), Self.line(4, .ambiguous, error: "gave up"),
            Self.line(5, .retryRequested, detail: "requested by operator"),
        ])
        let r = try #require(state.record(Self.key))
        #expect(r.lastEvent == .retryRequested)
        #expect(r.taskFailures == 0)
        #expect(r.emptyPreviews == 0)
        #expect(r.reconcilingSince == nil)
        #expect(r.detail == "requested by operator")
        #expect(!r.isTerminal && !r.isInFlight)
    }

    @Test("reconciling remembers when it began")
    func reconcilingSince() throws {
        let state = Self.fold([
            Self.line(0, .intent), Self.line(10, .reconciling, error: "timeout"), Self.line(40, .reconciling),
        ])
        let r = try #require(state.record(Self.key))
        #expect(r.reconcilingSince == Self.t0.addingTimeInterval(10))
        #expect(r.lastError == "timeout")
        #expect(r.lastTime == Self.t0.addingTimeInterval(40))
        // A new intent starts afresh.
        var again = state
        again.apply(Self.line(50, .intent))
        #expect(try #require(again.record(Self.key)).reconcilingSince == nil)
    }

    @Test("empty previews count until a fire resets them")
    func emptyPreviews() throws {
        var state = Self.fold([Self.line(0, .previewEmpty), Self.line(1, .previewEmpty), Self.line(2, .previewEmpty)])
        #expect(try #require(state.record(Self.key)).emptyPreviews == 3)
        state.apply(Self.line(3, .intent))
        state.apply(Self.line(4, .fired, task: 5))
        #expect(try #require(state.record(Self.key)).emptyPreviews == 0)
    }

    @Test("completed keeps reconciled batch ids")
    func batchIDs() throws {
        let state = Self.fold([
            Self.line(0, .intent), Self.line(1, .reconciling, error: "reset"),
            Self.line(2, .completed, batchIDs: ["b1", "b2"], detail: "reconciled"),
        ])
        let r = try #require(state.record(Self.key))
        #expect(r.batchIDs == ["b1", "b2"])
        #expect(r.lastError == nil)
        #expect(r.detail == "reconciled")
    }

    @Test("ledgers and periods are kept apart; inFlight is sorted")
    func separation() {
        let state = Self.fold([
            Self.line(0, .intent, ledger: "lgr_b"),
            Self.line(1, .intent, ledger: "lgr_a", start: "2025-03-31T22:00:00.000Z"),
            Self.line(2, .intent, ledger: "lgr_a"),
            Self.line(3, .completed, ledger: "lgr_c"),
        ])
        #expect(state.ledgers.keys.sorted() == ["lgr_a", "lgr_b", "lgr_c"])
        #expect(state.records(ledgerID: "lgr_a").count == 2)
        #expect(state.records(ledgerID: "lgr_missing").isEmpty)
        #expect(state.record(PeriodKey(ledgerID: "lgr_a", periodStart: "nope")) == nil)
        #expect(state.inFlight == [
            PeriodKey(ledgerID: "lgr_a", periodStart: Self.start),
            PeriodKey(ledgerID: "lgr_a", periodStart: "2025-03-31T22:00:00.000Z"),
            PeriodKey(ledgerID: "lgr_b", periodStart: Self.start),
        ])
    }

    @Test("replaying the same lines twice gives the same records")
    func deterministic() {
        let lines = [Self.line(0, .intent), Self.line(1, .fired, task: 3), Self.line(2, .progress, state: "processing", progress: 10)]
        #expect(Self.fold(lines).ledgers == Self.fold(lines).ledgers)
    }
}

@Suite("JournalReplay: text lines into state, with problems reported")
struct JournalReplayTests {
    static func text(_ entries: [JournalEntry]) -> [String] { entries.map(JournalCodec.encode) }

    static let lines = text([
        JournalStateTests.line(0, .intent),
        JournalStateTests.line(1, .fired, task: 11),
        JournalStateTests.line(2, .progress, task: 11, state: "processing", progress: 20),
    ])

    static func replay(_ lines: [String], complete: Bool) -> (JournalState, [JournalProblem]) {
        var state = JournalState()
        let problems = JournalReplay.replay(lines: lines.map { Substring($0) }, lastLineComplete: complete, into: &state)
        return (state, problems)
    }

    @Test("a clean journal replays without problems")
    func clean() throws {
        let (state, problems) = Self.replay(Self.lines, complete: true)
        #expect(problems.isEmpty)
        #expect(state.lineCount == 3)
        let r = try #require(state.record(JournalStateTests.key))
        #expect(r.lastEvent == .progress)
        #expect(r.taskID == 11)
        #expect(r.progress == 20)
    }

    @Test("splitting file text: the empty piece after the last newline and blank lines are ignored")
    func blankLines() {
        let file = Self.lines[0] + "\n\n   \n" + Self.lines[1] + "\r\n\t\n" + Self.lines[2] + "\n"
        var state = JournalState()
        let pieces = file.split(separator: "\n", omittingEmptySubsequences: false)
        let problems = JournalReplay.replay(lines: pieces, lastLineComplete: file.hasSuffix("\n"), into: &state)
        #expect(problems.isEmpty)
        #expect(state.lineCount == 3)
        #expect(state.record(JournalStateTests.key)?.taskID == 11)
    }

    @Test("a torn last line is reported as torn and the rest is kept")
    func tornTail() throws {
        let torn = String(JournalCodec.encode(JournalStateTests.line(3, .completed, task: 11)).prefix(40))
        let (state, problems) = Self.replay(Self.lines + [torn], complete: false)
        #expect(problems.count == 1)
        let p = try #require(problems.first)
        #expect(p.line == 4)
        #expect(p.isTornTail)
        #expect(p.description.hasPrefix("line 4: torn last line (crash mid-write), ignored: "))
        #expect(state.record(JournalStateTests.key)?.lastEvent == .progress)
        #expect(state.lineCount == 3)
    }

    @Test("an unreadable last line that did end with a newline is not torn")
    func badCompleteLastLine() throws {
        let (_, problems) = Self.replay(Self.lines + ["{oops"], complete: true)
        let p = try #require(problems.first)
        #expect(p.line == 4)
        #expect(!p.isTornTail)
    }

    @Test("a complete last line without its newline is still applied")
    func lastLineWithoutNewline() {
        let (state, problems) = Self.replay(Self.lines, complete: false)
        #expect(problems.isEmpty)
        #expect(state.lineCount == 3)
    }

    @Test("garbage in the middle is reported with its line number and skipped")
    func garbageMidFile() throws {
        let lines = [Self.lines[0], "garbage", Self.lines[1], #"{"time":"2025-04-01T04:00:00Z"}"#, Self.lines[2]]
        let (state, problems) = Self.replay(lines, complete: false)
        #expect(problems.map(\.line) == [2, 4])
        #expect(problems.allSatisfy { !$0.isTornTail })
        #expect(problems[0].description.hasPrefix("line 2: not valid JSON ("))
        #expect(problems[0].description.hasSuffix("; line ignored"))
        #expect(problems[1].message == "missing field \"event\"")
        #expect(state.lineCount == 3)
        #expect(state.record(JournalStateTests.key)?.progress == 20)
    }

    @Test("an empty journal")
    func empty() {
        let (state, problems) = Self.replay([], complete: true)
        #expect(problems.isEmpty)
        #expect(state.ledgers.isEmpty)
        let (state2, problems2) = Self.replay([""], complete: false)
        #expect(problems2.isEmpty)
        #expect(state2.lineCount == 0)
    }
}
