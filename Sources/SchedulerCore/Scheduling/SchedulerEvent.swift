import Foundation

/// A reading of the daemon's clock: the monotonic `timeline` every relative wait is
/// measured on, and the `wall` clock that decides when periods are due.
public struct SchedulerInstant: Sendable, Hashable {
    public var timeline: Date
    public var wall: Date

    public init(timeline: Date, wall: Date) {
        self.timeline = timeline
        self.wall = wall
    }

    /// Both readings the same (no wall-clock step since start).
    public init(_ date: Date) {
        self.init(timeline: date, wall: date)
    }
}

/// What happened, as `SchedulerState.handle` takes it. Everything that needed I/O (the
/// journal replay, the schedule file, the request file, the API) was done by the caller.
public enum SchedulerEvent: Sendable {
    /// The journal was replayed; `requests` are operator retries waiting in the request
    /// file; `controls` the pauses in the ledger controls file.
    case started(journal: JournalState, problems: [JournalProblem], requests: RequestBatch, controls: LedgerControlState = .init())
    /// A timer armed by `.wake(at:)` fired, or something asked the loop to look again.
    case wake
    /// A call asked for by `.call` came back.
    case returned(ledgerID: String, CallResult)
    /// SIGHUP: the schedule file was read again (or could not be), the request file taken
    /// and the controls file re-read (nil: it could not be read; the pauses in force stay).
    case reloaded(ScheduleReload, requests: RequestBatch, controls: LedgerControlState? = nil)
    /// SIGTERM: start nothing new; wait for POSTs already sent.
    case stop
    /// The shutdown grace ran out: what is still unanswered is abandoned.
    case stopDeadline
}

/// An operator's request to generate a failed, ambiguous or skipped period once more.
public struct RetryRequest: Sendable, Hashable {
    public var ledgerID: String
    public var periodStart: String

    public init(ledgerID: String, periodStart: String) {
        self.ledgerID = ledgerID
        self.periodStart = periodStart
    }
}

/// Operator retry requests taken from the request file, and lines that were not requests.
public struct RequestBatch: Sendable {
    public var retries: [RetryRequest]
    public var problems: [String]

    public init(retries: [RetryRequest] = [], problems: [String] = []) {
        self.retries = retries
        self.problems = problems
    }

    public static let none = RequestBatch()
}

/// The outcome of re-reading the schedule file.
public enum ScheduleReload: Sendable {
    case loaded(Schedule)
    /// The new schedule is invalid: each problem formatted for the log.
    case rejected(problems: [String])
}

/// What a call to the API returned, reduced to what the scheduler decides on.
public enum CallResult: Sendable {
    case preview(Result<[PreviewCount], APIErrorSummary>)
    case post(Result<AcceptedTask, APIErrorSummary>)
    case poll(Result<TaskReading, APIErrorSummary>)
    /// Batches listed while reconciling an unknown POST outcome.
    case reconcile(Result<[BatchSpanText], APIErrorSummary>)
    /// Batches listed before a POST (`LookBeforeFire`); `takenAt` is when it was asked.
    case listing(takenAt: Date, Result<[BatchSpanText], APIErrorSummary>)
}

public struct PreviewCount: Sendable, Hashable {
    public var ledgerID: String
    public var count: Int
    public init(ledgerID: String, count: Int) {
        self.ledgerID = ledgerID
        self.count = count
    }
}

public struct AcceptedTask: Sendable, Hashable {
    public var taskID: Int
    public var state: String
    public init(taskID: Int, state: String) {
        self.taskID = taskID
        self.state = state
    }
}

public struct TaskReading: Sendable, Hashable {
    public var state: String
    public var progress: Int?
    public var errorMessage: String?
    /// The task's `started_at`, for progress-aware polling.
    public var startedAt: Date?
    public init(state: String, progress: Int?, errorMessage: String?, startedAt: Date? = nil) {
        self.state = state
        self.progress = progress
        self.errorMessage = errorMessage
        self.startedAt = startedAt
    }
}

/// A batch as the API lists it: id and the raw `start_time`/`end_time` strings.
public struct BatchSpanText: Sendable, Hashable {
    public var id: String
    public var start: String?
    public var end: String?
    public init(id: String, start: String?, end: String?) {
        self.id = id
        self.start = start
        self.end = end
    }
}
