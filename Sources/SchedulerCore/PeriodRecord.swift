import Foundation

/// Where one period stands after replaying its journal lines.
public struct PeriodRecord: Sendable, Hashable {
    public var periodEnd: String
    public var lastEvent: JournalEvent
    public var taskID: Int?
    /// POSTs started (intent lines), including ones whose outcome became unknown.
    public var attempts: Int
    /// Tasks that ended `failed` and were (or will be) fired again.
    public var taskFailures: Int
    /// Consecutive empty previews.
    public var emptyPreviews: Int
    public var state: String?
    public var progress: Int?
    public var lastError: String?
    public var batchIDs: [String]?
    public var detail: String?
    public var firstTime: Date
    public var lastTime: Date
    /// When the current task was accepted (for the task timeout and durations).
    public var firedAt: Date?
    /// When reconciliation of an unknown POST outcome began.
    public var reconcilingSince: Date?
    /// When the last POST of this period was about to be sent (its `intent` line): a
    /// listing of batches older than this cannot clear the period for another POST.
    public var lastIntentAt: Date?
    /// `not_fired` lines since the last accepted POST (the re-fire backoff).
    public var consecutiveNotFired = 0

    public var isTerminal: Bool { lastEvent.isTerminal }

    /// Pending with a POST that may have reached the server: fired (task known), intent
    /// (crashed before the answer) or reconciling. Such a period must never be POSTed again
    /// without reconciliation.
    public var isInFlight: Bool {
        switch lastEvent {
        case .intent, .fired, .progress, .reconciling: true
        default: false
        }
    }

    /// Duration from first fire to the terminal event, when both are known.
    public var duration: TimeInterval? {
        guard isTerminal else { return nil }
        return lastTime.timeIntervalSince(firstTime)
    }
}
