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
/// since.
///
/// `sleep(until:)` returns at or after its deadline, never before it by a rounding error:
/// the scheduler arms one timer for its earliest wake-up and counts on it having passed
/// when the timer returns (a timer returning a hair early, or after a capped sleep, left
/// the loop without any timer until the next event). The one early return is a step of
/// the wall clock (NTP, an operator) of `wallStepTolerance` or more, seen within
/// `maximumSleep`: periods fall due by the wall clock, so the scheduler must re-plan at
/// once. Checking for a step is the only reason the sleep wakes before its deadline.
public struct SystemSchedulerClock: SchedulerClock {
    public var maximumSleep: Duration
    /// A change of wall minus timeline this large is a step (the scheduler's own threshold).
    public var wallStepTolerance: TimeInterval = 2
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
        // The deadline as an instant of the monotonic clock, so no Date rounding can make
        // the sleep end short of it; one extra microsecond covers the conversion back.
        let target = monotonicAtStart + .seconds(deadline.timeIntervalSince(wallAtStart)) + .microseconds(1)
        let offset = Date().timeIntervalSince(now())
        while true {
            let remaining = ContinuousClock.now.duration(to: target)
            guard remaining > .zero else { return try Task.checkCancellation() }
            try await Task.sleep(until: min(target, .now + maximumSleep), clock: .continuous)
            if abs(Date().timeIntervalSince(now()) - offset) >= wallStepTolerance { return }
        }
    }
}
