import Foundation

/// One ledger's periods as the journal left them, in a size that follows what is open,
/// not how long the ledger has run: every period that is pending, in flight, failed,
/// held, or completed in an unusual way (found on the API, reconciled) keeps its full
/// `PeriodRecord`; periods completed plainly are folded into `CompletedRuns`, 4 bytes each.
///
/// Every reader asks through this type. A plainly completed period reads back as a
/// `completed` record with its exact `period_end` (its task id, attempts and times are
/// not kept: `journal` reads those from the file).
public struct LedgerRecords: Sendable, Equatable {
    /// Periods not folded into `completed`, by `period_start`.
    public private(set) var others: [String: PeriodRecord] = [:]
    private(set) var completed = CompletedRuns()

    public init() {}

    init(others: [String: PeriodRecord], completed: CompletedRuns) {
        self.others = others
        self.completed = completed
    }

    /// Periods with a record.
    public var count: Int { others.count + completed.count }
    public var isEmpty: Bool { others.isEmpty && completed.isEmpty }

    /// Plainly completed periods (not in `others`).
    public var plainlyCompleted: Int { completed.count }

    /// The period starting at `start`: its record, or a `completed` one when it was folded.
    public subscript(start: String) -> PeriodRecord? {
        if let r = others[start] { return r }
        guard !completed.isEmpty, let s = UTCTimestamp.canonicalSeconds(start), let end = completed.end(ofPeriodStartingAt: s) else { return nil }
        return Self.completedRecord(end: end)
    }

    /// Whether the period `[start, end)` (with its journal strings) has a terminal record
    /// spanning exactly it: the planner's question, without building a record.
    public func isDone(start: String, end: String, startSeconds: Int64, endSeconds: Int64) -> Bool {
        if let r = others[start] { return r.periodEnd == end && r.isTerminal }
        return completed.end(ofPeriodStartingAt: startSeconds) == endSeconds
    }

    /// `isDone` of a period of the calendar (its strings are made only when a record
    /// kept in full could be its).
    public func isDone(_ period: Period) -> Bool {
        let s = PeriodCalendar.epoch(period.start), e = PeriodCalendar.epoch(period.end)
        if others.isEmpty { return completed.end(ofPeriodStartingAt: s) == e }
        return isDone(start: period.startTime, end: period.endTime, startSeconds: s, endSeconds: e)
    }

    /// The record kept in full that spans exactly `period`, if any.
    public func keptRecord(of period: Period) -> PeriodRecord? {
        if others.isEmpty { return nil }
        return others[period.startTime].flatMap { $0.periodEnd == period.endTime ? $0 : nil }
    }

    /// The `period_end` text of the newest completed period.
    public var newestCompletedEnd: String? {
        let plain = completed.newestEnd.map { UTCTimestamp.format(epochSeconds: $0 - 1) }
        let other = others.values.lazy.filter { $0.lastEvent == .completed }.map(\.periodEnd).max()
        return [plain, other].compactMap { $0 }.max()
    }

    /// Every period with its record, oldest first (materialises the folded ones: for
    /// commands and tests, not for the daemon's hot paths).
    public var all: [(start: String, record: PeriodRecord)] {
        var out = others.map { (start: $0.key, record: $0.value) }
        completed.forEach { s, e in out.append((UTCTimestamp.format(epochSeconds: s), Self.completedRecord(end: e))) }
        return out.sorted { $0.start < $1.start }
    }

    /// The records of `all`, oldest first.
    public var values: [PeriodRecord] { all.map(\.record) }

    /// Plainly completed periods as (start, end) epoch seconds, oldest first.
    func forEachCompleted(_ body: (_ start: Int64, _ end: Int64) -> Void) {
        completed.forEach(body)
    }

    /// What a folded period reads back as.
    static func completedRecord(end: Int64) -> PeriodRecord {
        let at = Date(timeIntervalSince1970: TimeInterval(end))
        return PeriodRecord(
            periodEnd: UTCTimestamp.format(epochSeconds: end - 1), lastEvent: .completed, attempts: 1, taskFailures: 0,
            emptyPreviews: 0, firstTime: at, lastTime: at)
    }

    /// Folds one line of this ledger. With `keepsEveryRecord` nothing is folded into runs
    /// (`journal` shows every period's details). Returns the task's duration when the line
    /// completes a polled task.
    mutating func apply(_ e: JournalEntry, keepsEveryRecord: Bool) -> Double? {
        // One lookup a line: the record is folded in place (`others` and `completed` are
        // separate stored properties, so both may be changed at once), and setting the
        // slot to nil when the period folds into a run removes it in the same lookup.
        var duration: Double?
        Self.update(&others[e.periodStart], &completed, with: e, keepsEveryRecord: keepsEveryRecord, duration: &duration)
        // A dictionary keeps its storage when emptied: a ledger whose periods all completed
        // holds none (10,000s of ledgers).
        if others.isEmpty, others.capacity > 0 { others = [:] }
        return duration
    }

    private static func update(
        _ slot: inout PeriodRecord?, _ completed: inout CompletedRuns, with e: JournalEntry, keepsEveryRecord: Bool, duration: inout Double?
    ) {
        if slot == nil, !completed.isEmpty, let s = UTCTimestamp.canonicalSeconds(e.periodStart), let end = completed.remove(startingAt: s) {
            // A line after the period completed (journals joined, lines replayed): the period
            // becomes a record again, folded on from `completed`.
            slot = completedRecord(end: end)
        }
        duration = JournalState.fold(e, into: &slot)
        if !keepsEveryRecord, let r = slot, folds(r), let s = UTCTimestamp.canonicalSeconds(e.periodStart),
           let last = UTCTimestamp.canonicalSeconds(r.periodEnd), completed.insert(start: s, end: last + 1) {
            slot = nil
        }
    }

    /// A plain completion: nothing but "done" to remember.
    private static func folds(_ r: PeriodRecord) -> Bool {
        r.lastEvent == .completed && r.detail == nil && r.batchIDs == nil
    }
}

extension LedgerRecords: ExpressibleByDictionaryLiteral {
    /// Records kept as they are (none folded): `[:]` is a ledger without a journal line.
    public init(dictionaryLiteral elements: (String, PeriodRecord)...) {
        self.init(others: Dictionary(elements, uniquingKeysWith: { $1 }), completed: CompletedRuns())
    }

    /// Records kept as they are (none folded).
    public init(_ records: [String: PeriodRecord]) {
        self.init(others: records, completed: CompletedRuns())
    }
}
