import Foundation

/// The fold of every journal line: per ledger and period, what is done, what is in flight
/// and what failed. Replaying the same lines always yields the same state, which is what
/// lets the daemon resume after any crash without re-POSTing a period.
public struct JournalState: Sendable, Equatable {
    /// ledger id → its periods.
    public internal(set) var ledgers: [String: LedgerRecords] = [:]
    public internal(set) var lineCount = 0
    /// ledger id → seconds from `fired` to `completed` of its last few tasks.
    var durations: [String: RecentDurations] = [:]
    /// Keep a full record of every period, plainly completed ones too (`journal` shows
    /// their task ids and times); the daemon folds those into runs instead.
    public let keepsEveryRecord: Bool

    public init(keepsEveryRecord: Bool = false) {
        self.keepsEveryRecord = keepsEveryRecord
    }

    /// Seconds from `fired` to `completed` of the ledger's last `RecentDurations.capacity`
    /// generations, oldest first (what `PollSchedule` estimates a new task's finish from).
    public func recentDurations(ledgerID: String) -> [Double] {
        durations[ledgerID]?.values ?? []
    }

    public func record(_ key: PeriodKey) -> PeriodRecord? {
        ledgers[key.ledgerID]?[key.periodStart]
    }

    public func records(ledgerID: String) -> LedgerRecords {
        ledgers[ledgerID] ?? LedgerRecords()
    }

    /// Every period whose POST may have reached the server and that has no terminal event.
    public var inFlight: [PeriodKey] {
        ledgers.flatMap { ledger, periods in
            periods.others.filter { $0.value.isInFlight }.map { PeriodKey(ledgerID: ledger, periodStart: $0.key) }
        }.sorted()
    }

    public mutating func apply(_ e: JournalEntry) {
        lineCount += 1
        let duration = ledgers[e.ledgerID, default: LedgerRecords()].apply(e, keepsEveryRecord: keepsEveryRecord)
        if let duration { durations[e.ledgerID, default: RecentDurations()].append(duration) }
    }

    /// Folds one line into its period's record; returns the task's duration (fired to
    /// completed) when the line completes a polled task.
    static func fold(_ e: JournalEntry, into slot: inout PeriodRecord?) -> Double? {
        if slot == nil {
            slot = PeriodRecord(
                periodEnd: e.periodEnd, lastEvent: e.event, attempts: 0, taskFailures: 0, emptyPreviews: 0,
                firstTime: e.time, lastTime: e.time)
        }
        var duration: Double?
        Self.fold(e, &slot!, duration: &duration)
        return duration
    }

    private static func fold(_ e: JournalEntry, _ r: inout PeriodRecord, duration: inout Double?) {
        r.lastEvent = e.event
        r.lastTime = e.time
        if r.periodEnd != e.periodEnd { r.periodEnd = e.periodEnd }
        if let t = e.taskID { r.taskID = t }
        if let s = e.state, r.state != s { r.state = s }
        if let p = e.progress { r.progress = p }
        if let err = e.error { r.lastError = err }
        if let d = e.detail { r.detail = d }
        switch e.event {
        case .intent:
            r.attempts = max(r.attempts + 1, e.attempt ?? 0)
            r.taskID = nil
            r.firedAt = nil
            r.reconcilingSince = nil
            r.state = nil
            r.progress = nil
            r.lastError = e.error
            r.lastIntentAt = e.time
        case .fired:
            r.firedAt = e.time
            r.emptyPreviews = 0
            r.consecutiveNotFired = 0
        case .notFired:
            r.consecutiveNotFired += 1
        case .reconciling:
            if r.reconcilingSince == nil { r.reconcilingSince = e.time }
        case .taskFailed:
            r.taskFailures += 1
        case .previewEmpty:
            r.emptyPreviews += 1
        case .retryRequested:
            r.taskFailures = 0
            r.emptyPreviews = 0
            r.reconcilingSince = nil
        case .completed:
            if let ids = e.batchIDs { r.batchIDs = ids }
            r.lastError = e.error
            if let fired = r.firedAt, e.detail == nil, e.batchIDs == nil { duration = e.time.timeIntervalSince(fired) }
        case .progress, .failed, .skipped, .ambiguous, .held:
            break
        }
    }
}

/// The last few durations of a ledger's generations, in a fixed-size ring.
public struct RecentDurations: Sendable, Hashable {
    public static let capacity = 5
    var ring: [Double] = []
    var next = 0

    public init() {}

    public mutating func append(_ seconds: Double) {
        guard seconds.isFinite, seconds > 0 else { return }
        if ring.count < Self.capacity {
            ring.append(seconds)
        } else {
            ring[next] = seconds
        }
        next = (next + 1) % Self.capacity
    }

    /// Oldest first.
    public var values: [Double] {
        ring.count < Self.capacity ? ring : Array(ring[next...] + ring[..<next])
    }
}

/// A journal line that could not be used, reported with its 1-based line number.
public struct JournalProblem: Sendable, Hashable, CustomStringConvertible {
    public var line: Int
    public var message: String
    /// The last line was cut off mid-write (crash); it is dropped and the file repaired.
    public var isTornTail: Bool

    public init(line: Int, message: String, isTornTail: Bool) {
        self.line = line
        self.message = message
        self.isTornTail = isTornTail
    }

    public var description: String {
        isTornTail ? "line \(line): torn last line (crash mid-write), ignored: \(message)" : "line \(line): \(message); line ignored"
    }
}

/// Replays journal text into a `JournalState`, collecting problems instead of failing.
public enum JournalReplay {
    /// `lines` are the file's lines without newlines; `lastLineComplete` is false when the
    /// file did not end with a newline (a torn write).
    public static func replay(
        lines: some Sequence<Substring>, lastLineComplete: Bool, into state: inout JournalState
    ) -> [JournalProblem] {
        var problems: [JournalProblem] = []
        var pending: (Int, Substring)?
        var number = 0
        func handle(_ n: Int, _ text: Substring, isLast: Bool) {
            if text.allSatisfy({ $0 == " " || $0 == "\t" || $0 == "\r" }) { return }
            do {
                state.apply(try JournalCodec.decode(String(text)))
            } catch {
                problems.append(JournalProblem(line: n, message: error.description, isTornTail: isLast && !lastLineComplete))
            }
        }
        for line in lines {
            number += 1
            if let (n, text) = pending { handle(n, text, isLast: false) }
            pending = (number, line)
        }
        if let (n, text) = pending { handle(n, text, isLast: true) }
        return problems
    }
}
