import Foundation

/// What `SchedulerState.handle` asks its executor to do, in order: an `.append` is
/// written and fsync'd before any later action is carried out.
public enum SchedulerAction: Sendable, Equatable {
    /// Append this line to the journal (the state already counts it as written; if the
    /// write fails the executor must stop the daemon).
    case append(JournalEntry)
    /// Call the API for a ledger; feed the answer back as `.returned(ledgerID:, …)`.
    case call(ledgerID: String, SchedulerCall)
    case log(SchedulerLog)
    /// The `STATUS=` line changed.
    case status(String)
    /// Where a ledger stands changed (metrics gauges).
    case ledgerStatus(LedgerStatus)
    /// Deliver `.wake` at this instant of the timeline (nil: nothing scheduled). Replaces
    /// any earlier wake-up.
    case wake(at: Date?)
}

/// One API call of the scheduler.
public enum SchedulerCall: Sendable, Hashable {
    case preview(startTime: String, endTime: String)
    case post(startTime: String, endTime: String)
    case poll(taskID: Int)
    /// List the ledger's batches newest first, back to batches created at `createdSince`.
    case reconcile(createdSince: Date)
    case listing(createdSince: Date, takenAt: Date)
}

/// A log line with the structured fields journald indexes.
public struct SchedulerLog: Sendable, Hashable {
    public enum Level: Sendable, Hashable { case debug, info, notice, warning, error, critical }

    public var level: Level
    public var message: String
    /// `mangrove_event` (selects the MESSAGE_ID).
    public var event: String?
    public var ledgerID: String?
    public var periodStart: String?
    public var periodEnd: String?
    public var taskID: Int?
    public var attempt: Int?
    public var error: String?

    public init(
        _ level: Level, _ message: String, event: String? = nil, ledgerID: String? = nil, periodStart: String? = nil,
        periodEnd: String? = nil, taskID: Int? = nil, attempt: Int? = nil, error: String? = nil
    ) {
        self.level = level
        self.message = message
        self.event = event
        self.ledgerID = ledgerID
        self.periodStart = periodStart
        self.periodEnd = periodEnd
        self.taskID = taskID
        self.attempt = attempt
        self.error = error
    }
}
