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

        static let empty = Rare()
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

    private func rareValue<T>(_ field: KeyPath<Rare, T>, _ fallback: T) -> T {
        rare.first?[keyPath: field] ?? fallback
    }

    private mutating func setRare<T: Equatable>(_ field: WritableKeyPath<Rare, T>, _ value: T) {
        if rare.isEmpty {
            if value == Rare.empty[keyPath: field] { return }
            rare = [Rare()]
        }
        rare[0][keyPath: field] = value
        if rare[0] == Rare.empty { rare = [] }
    }

    public var taskID: Int? {
        get { taskIDValue != Self.noInt ? taskIDValue : rareValue(\.taskID, nil) }
        set {
            taskIDValue = newValue == nil || newValue == Self.noInt ? Self.noInt : newValue!
            setRare(\.taskID, newValue == Self.noInt ? newValue : nil)
        }
    }

    /// POSTs started (intent lines), including ones whose outcome became unknown.
    public var attempts: Int {
        get { rareValue(\.attempts, nil) ?? Int(attemptsValue) }
        set {
            let inline = Int32(exactly: newValue)
            attemptsValue = inline ?? 0
            setRare(\.attempts, inline == nil ? newValue : nil)
        }
    }

    public var progress: Int? {
        get { progressValue != Self.noInt32 ? Int(progressValue) : rareValue(\.progress, nil) }
        set {
            let inline = newValue.flatMap { Int32(exactly: $0) }.flatMap { $0 == Self.noInt32 ? nil : $0 }
            progressValue = inline ?? Self.noInt32
            setRare(\.progress, inline == nil ? newValue : nil)
        }
    }

    /// When the current task was accepted (for the task timeout and durations).
    public var firedAt: Date? {
        get { firedAtValue != Self.noDate ? firedAtValue : rareValue(\.firedAt, nil) }
        set {
            firedAtValue = newValue == nil || newValue == Self.noDate ? Self.noDate : newValue!
            setRare(\.firedAt, newValue == Self.noDate ? newValue : nil)
        }
    }

    /// When the last POST of this period was about to be sent (its `intent` line): a
    /// listing of batches older than this cannot clear the period for another POST.
    public var lastIntentAt: Date? {
        get { lastIntentAtValue != Self.noDate ? lastIntentAtValue : rareValue(\.lastIntentAt, nil) }
        set {
            lastIntentAtValue = newValue == nil || newValue == Self.noDate ? Self.noDate : newValue!
            setRare(\.lastIntentAt, newValue == Self.noDate ? newValue : nil)
        }
    }

    /// Tasks that ended `failed` and were (or will be) fired again.
    public var taskFailures: Int {
        get { rareValue(\.taskFailures, 0) }
        set { setRare(\.taskFailures, newValue) }
    }

    /// Consecutive empty previews.
    public var emptyPreviews: Int {
        get { rareValue(\.emptyPreviews, 0) }
        set { setRare(\.emptyPreviews, newValue) }
    }

    /// `not_fired` lines since the last accepted POST (the re-fire backoff).
    public var consecutiveNotFired: Int {
        get { rareValue(\.consecutiveNotFired, 0) }
        set { setRare(\.consecutiveNotFired, newValue) }
    }

    public var lastError: String? {
        get { rareValue(\.lastError, nil) }
        set { setRare(\.lastError, newValue) }
    }

    public var batchIDs: [String]? {
        get { rareValue(\.batchIDs, nil) }
        set { setRare(\.batchIDs, newValue) }
    }

    public var detail: String? {
        get { rareValue(\.detail, nil) }
        set { setRare(\.detail, newValue) }
    }

    /// When reconciliation of an unknown POST outcome began.
    public var reconcilingSince: Date? {
        get { rareValue(\.reconcilingSince, nil) }
        set { setRare(\.reconcilingSince, newValue) }
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
