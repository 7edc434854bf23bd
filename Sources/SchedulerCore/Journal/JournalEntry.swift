import Foundation

/// One line of the journal. `periodStart`/`periodEnd` are exactly the strings sent to the
/// API, so the journal can be matched against the API's own records.
public struct JournalEntry: Sendable, Hashable {
    public var time: Date
    public var ledgerID: String
    public var periodStart: String
    public var periodEnd: String
    public var event: JournalEvent
    public var taskID: Int?
    /// Generation attempt this line belongs to (1 = first POST of the period).
    public var attempt: Int?
    /// Task state on `progress` lines.
    public var state: String?
    public var progress: Int?
    public var error: String?
    /// Batches found when a POST of unknown outcome was reconciled.
    public var batchIDs: [String]?
    /// Human context ("reconciled", "requested by operator", …).
    public var detail: String?

    public init(
        time: Date, ledgerID: String, periodStart: String, periodEnd: String, event: JournalEvent,
        taskID: Int? = nil, attempt: Int? = nil, state: String? = nil, progress: Int? = nil,
        error: String? = nil, batchIDs: [String]? = nil, detail: String? = nil
    ) {
        self.time = time
        self.ledgerID = ledgerID
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.event = event
        self.taskID = taskID
        self.attempt = attempt
        self.state = state
        self.progress = progress
        self.error = error
        self.batchIDs = batchIDs
        self.detail = detail
    }

    public var key: PeriodKey { PeriodKey(ledgerID: ledgerID, periodStart: periodStart) }
}

/// Identifies a period of a ledger across journal lines.
public struct PeriodKey: Sendable, Hashable, Comparable, CustomStringConvertible {
    public var ledgerID: String
    public var periodStart: String

    public init(ledgerID: String, periodStart: String) {
        self.ledgerID = ledgerID
        self.periodStart = periodStart
    }

    public static func < (a: PeriodKey, b: PeriodKey) -> Bool {
        (a.ledgerID, a.periodStart) < (b.ledgerID, b.periodStart)
    }

    public var description: String { "\(ledgerID)@\(periodStart)" }
}
