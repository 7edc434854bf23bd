import Foundation

/// Where one period stands after replaying its journal lines.
///
/// A journal holds one of these per period it ever saw, so the layout is kept small
/// (96 bytes instead of 224): optionals that are on most records are stored inline with a
/// sentinel for nil, and the fields a period rarely needs (errors, batch ids, details,
/// reconciliation, counters of failures) live in a shared box that most records do not
/// have. Every property reads and writes exactly as a plain stored property would; values
/// a sentinel cannot hold go to the box too.
public struct PeriodRecord: Sendable {
    public var periodEnd: String
    public var state: String?
    public var firstTime: Date
    public var lastTime: Date
    private var taskIDValue: Int
    private var firedAtValue: Date
    private var lastIntentAtValue: Date
    private var attemptsValue: Int32
    private var progressValue: Int32
    /// Zero or one element: an array is a copy-on-write box that costs nothing when empty.
    private var rare: [Rare]
    public var lastEvent: JournalEvent

    private static let noInt = Int.min
    private static let noInt32 = Int32.min
    /// Far outside any date a journal holds (year ≈ 1.6 million BC); nil dates are stored as it.
    private static let noDate = Date(timeIntervalSinceReferenceDate: -0x1p55)

    /// The fields most periods never need, and values the inline sentinels cannot hold.
    private struct Rare: Sendable, Hashable {
        var taskFailures = 0
        var emptyPreviews = 0
        var consecutiveNotFired = 0
        var lastError: String?
        var batchIDs: [String]?
        var detail: String?
        var reconcilingSince: Date?
        /// Set when the inline field holds its sentinel but the value is not nil.
        var taskID: Int?
        var firedAt: Date?
        var lastIntentAt: Date?
        var attempts: Int?
        var progress: Int?

        /// Every field at its default: no box needed.
        var isEmpty: Bool {
            taskFailures == 0 && emptyPreviews == 0 && consecutiveNotFired == 0 && lastError == nil && batchIDs == nil
                && detail == nil && reconcilingSince == nil && taskID == nil && firedAt == nil && lastIntentAt == nil
                && attempts == nil && progress == nil
        }
    }

    init(periodEnd: String, lastEvent: JournalEvent, attempts: Int, taskFailures: Int, emptyPreviews: Int, firstTime: Date, lastTime: Date) {
        self.periodEnd = periodEnd
        self.state = nil
        self.firstTime = firstTime
        self.lastTime = lastTime
        self.taskIDValue = Self.noInt
        self.firedAtValue = Self.noDate
        self.lastIntentAtValue = Self.noDate
        self.attemptsValue = 0
        self.progressValue = Self.noInt32
        self.rare = []
        self.lastEvent = lastEvent
        self.attempts = attempts
        self.taskFailures = taskFailures
        self.emptyPreviews = emptyPreviews
    }

    /// Changes the rare fields in place; the box is made on the first non-default value and
    /// dropped when every field is back to its default.
    private mutating func updateRare(_ body: (inout Rare) -> Void) {
        if rare.isEmpty {
            var r = Rare()
            body(&r)
            if !r.isEmpty { rare = [r] }
        } else {
            body(&rare[0])
            if rare[0].isEmpty { rare = [] }
        }
    }

    public var taskID: Int? {
        get { taskIDValue != Self.noInt ? taskIDValue : rare.first?.taskID }
        set {
            taskIDValue = newValue == nil || newValue == Self.noInt ? Self.noInt : newValue!
            let spill = newValue == Self.noInt ? newValue : nil
            if spill != nil || !rare.isEmpty { updateRare { $0.taskID = spill } }
        }
    }

    /// POSTs started (intent lines), including ones whose outcome became unknown.
    public var attempts: Int {
        get { rare.first?.attempts ?? Int(attemptsValue) }
        set {
            let inline = Int32(exactly: newValue)
            attemptsValue = inline ?? 0
            let spill = inline == nil ? newValue : nil
            if spill != nil || !rare.isEmpty { updateRare { $0.attempts = spill } }
        }
    }

    public var progress: Int? {
        get { progressValue != Self.noInt32 ? Int(progressValue) : rare.first?.progress }
        set {
            let inline = newValue.flatMap { Int32(exactly: $0) }.flatMap { $0 == Self.noInt32 ? nil : $0 }
            progressValue = inline ?? Self.noInt32
            let spill = inline == nil ? newValue : nil
            if spill != nil || !rare.isEmpty { updateRare { $0.progress = spill } }
        }
    }

    /// When the current task was accepted (for the task timeout and durations).
    public var firedAt: Date? {
        get { firedAtValue != Self.noDate ? firedAtValue : rare.first?.firedAt }
        set {
            firedAtValue = newValue == nil || newValue == Self.noDate ? Self.noDate : newValue!
            let spill = newValue == Self.noDate ? newValue : nil
            if spill != nil || !rare.isEmpty { updateRare { $0.firedAt = spill } }
        }
    }

    /// When the last POST of this period was about to be sent (its `intent` line): a
    /// listing of batches older than this cannot clear the period for another POST.
    public var lastIntentAt: Date? {
        get { lastIntentAtValue != Self.noDate ? lastIntentAtValue : rare.first?.lastIntentAt }
        set {
            lastIntentAtValue = newValue == nil || newValue == Self.noDate ? Self.noDate : newValue!
            let spill = newValue == Self.noDate ? newValue : nil
            if spill != nil || !rare.isEmpty { updateRare { $0.lastIntentAt = spill } }
        }
    }

    /// Tasks that ended `failed` and were (or will be) fired again.
    public var taskFailures: Int {
        get { rare.first?.taskFailures ?? 0 }
        set { if newValue != 0 || !rare.isEmpty { updateRare { $0.taskFailures = newValue } } }
    }

    /// Consecutive empty previews.
    public var emptyPreviews: Int {
        get { rare.first?.emptyPreviews ?? 0 }
        set { if newValue != 0 || !rare.isEmpty { updateRare { $0.emptyPreviews = newValue } } }
    }

    /// `not_fired` lines since the last accepted POST (the re-fire backoff).
    public var consecutiveNotFired: Int {
        get { rare.first?.consecutiveNotFired ?? 0 }
        set { if newValue != 0 || !rare.isEmpty { updateRare { $0.consecutiveNotFired = newValue } } }
    }

    public var lastError: String? {
        get { rare.first?.lastError }
        set { if newValue != nil || !rare.isEmpty { updateRare { $0.lastError = newValue } } }
    }

    public var batchIDs: [String]? {
        get { rare.first?.batchIDs }
        set { if newValue != nil || !rare.isEmpty { updateRare { $0.batchIDs = newValue } } }
    }

    public var detail: String? {
        get { rare.first?.detail }
        set { if newValue != nil || !rare.isEmpty { updateRare { $0.detail = newValue } } }
    }

    /// When reconciliation of an unknown POST outcome began.
    public var reconcilingSince: Date? {
        get { rare.first?.reconcilingSince }
        set { if newValue != nil || !rare.isEmpty { updateRare { $0.reconcilingSince = newValue } } }
    }

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

extension PeriodRecord: Hashable {
    /// Equal when every property reads the same (the storage is canonical, but compared by
    /// value to be plain about it).
    public static func == (a: PeriodRecord, b: PeriodRecord) -> Bool {
        a.periodEnd == b.periodEnd && a.lastEvent == b.lastEvent && a.taskID == b.taskID && a.attempts == b.attempts
            && a.taskFailures == b.taskFailures && a.emptyPreviews == b.emptyPreviews && a.state == b.state
            && a.progress == b.progress && a.lastError == b.lastError && a.batchIDs == b.batchIDs && a.detail == b.detail
            && a.firstTime == b.firstTime && a.lastTime == b.lastTime && a.firedAt == b.firedAt
            && a.reconcilingSince == b.reconcilingSince && a.lastIntentAt == b.lastIntentAt
            && a.consecutiveNotFired == b.consecutiveNotFired
    }

    public func hash(into h: inout Hasher) {
        h.combine(periodEnd)
        h.combine(lastEvent)
        h.combine(taskID)
        h.combine(attempts)
        h.combine(state)
        h.combine(progress)
        h.combine(firstTime)
        h.combine(lastTime)
        h.combine(firedAt)
        h.combine(lastIntentAt)
        h.combine(rare.first)
    }
}
