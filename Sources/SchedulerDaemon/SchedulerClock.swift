import Foundation

/// Wall-clock time and sleeping, injected so tests drive time by hand. The daemon needs
/// wall time (periods are calendar dates) and re-reads it after every wake-up, so a
/// clock step is noticed within `SystemSchedulerClock.maximumSleep`.
public protocol SchedulerClock: Sendable {
    func now() -> Date
    /// Returns at or after `deadline` (or early; callers re-check `now()`); throws on cancellation.
    func sleep(until deadline: Date) async throws
}

/// The real clock. Sleeps at most `maximumSleep` at a time so that a wall-clock change
/// (NTP step, suspend) delays nothing by more than that.
public struct SystemSchedulerClock: SchedulerClock {
    public var maximumSleep: Duration

    public init(maximumSleep: Duration = .seconds(60)) {
        self.maximumSleep = maximumSleep
    }

    public func now() -> Date { Date() }

    public func sleep(until deadline: Date) async throws {
        let seconds = min(deadline.timeIntervalSinceNow, maximumSleep.seconds)
        if seconds > 0 {
            try await Task.sleep(for: .seconds(seconds))
        } else {
            try Task.checkCancellation()
        }
    }
}
