import Foundation

/// The daemon's one source of time, injected so tests drive it by hand.
///
/// Two readings, for two kinds of question:
/// - `now()` is the daemon's *timeline*: it starts at the wall-clock time when the clock
///   is made and then advances with a monotonic clock, so it never jumps when the wall
///   clock is stepped (NTP, an operator). Every relative wait is measured on it: poll
///   backoff, `task_timeout`, the reconcile window, ledger holds, retry waits, the
///   watchdog rate limit, the shutdown grace. Journal lines carry it as their `time`.
/// - `wallNow()` is the wall clock. Only calendar questions use it: whether a period has
///   closed (its end plus `settle_delay`), and HTTP dates in `Retry-After`.
/// The two differ only after a wall-clock step; the scheduler logs a large one.
public protocol SchedulerClock: Sendable {
    /// The monotonic timeline (see the type's notes).
    func now() -> Date
    /// The wall clock.
    func wallNow() -> Date
    /// Returns at or after `deadline` on the timeline (or early; callers re-check `now()`);
    /// throws on cancellation.
    func sleep(until deadline: Date) async throws
}

/// The real clock: the timeline is the wall time at start plus `ContinuousClock` time
/// since. Sleeps at most `maximumSleep` at a time, so a wall-clock step that makes
/// periods due is noticed within that.
public struct SystemSchedulerClock: SchedulerClock {
    public var maximumSleep: Duration
    private let wallAtStart: Date
    private let monotonicAtStart: ContinuousClock.Instant

    public init(maximumSleep: Duration = .seconds(60)) {
        self.maximumSleep = maximumSleep
        self.wallAtStart = Date()
        self.monotonicAtStart = .now
    }

    public func now() -> Date {
        wallAtStart.addingTimeInterval((ContinuousClock.now - monotonicAtStart).seconds)
    }

    public func wallNow() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let seconds = min(deadline.timeIntervalSince(now()), maximumSleep.seconds)
        if seconds > 0 {
            try await Task.sleep(for: .seconds(seconds))
        } else {
            try Task.checkCancellation()
        }
    }
}
