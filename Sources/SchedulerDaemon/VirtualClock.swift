import Foundation
import Synchronization

/// A clock that moves only when told to. Sleepers register and are resumed by `advance`,
/// so tests (and the demo, which replays months of catch-up in seconds) control time
/// exactly and never wait in real time. `advance` moves the timeline and the wall clock
/// together; `stepWallClock` moves the wall clock alone.
public final class VirtualClock: SchedulerClock {
    private struct Sleeper {
        var deadline: Date
        var continuation: CheckedContinuation<Void, any Error>
    }

    private struct State {
        var now: Date
        /// Wall clock minus timeline: changed only by `stepWallClock`.
        var wallOffset: TimeInterval = 0
        var nextID = 0
        var sleepers: [Int: Sleeper] = [:]
        var cancelledBeforeRegistration: Set<Int> = []
    }

    private let state: Mutex<State>

    public init(now: Date) {
        state = Mutex(State(now: now))
    }

    public func now() -> Date { state.withLock { $0.now } }

    public func wallNow() -> Date { state.withLock { $0.now.addingTimeInterval($0.wallOffset) } }

    /// Steps the wall clock alone (an NTP correction, an operator's `date -s`): the
    /// timeline, and every sleeper on it, stays where it is.
    public func stepWallClock(by seconds: TimeInterval) {
        state.withLock { $0.wallOffset += seconds }
    }

    /// The earliest deadline anyone is sleeping until.
    public var nextDeadline: Date? { state.withLock { $0.sleepers.values.map(\.deadline).min() } }

    public var sleeperCount: Int { state.withLock { $0.sleepers.count } }

    public func sleep(until deadline: Date) async throws {
        let id: Int = state.withLock { s in
            s.nextID += 1
            return s.nextID
        }
        try await withTaskCancellationHandler {
            try await withCheckedThrowingContinuation { (c: CheckedContinuation<Void, any Error>) in
                let resumeNow: Result<Void, any Error>? = state.withLock { s in
                    if s.cancelledBeforeRegistration.remove(id) != nil { return .failure(CancellationError()) }
                    if deadline <= s.now { return .success(()) }
                    s.sleepers[id] = Sleeper(deadline: deadline, continuation: c)
                    return nil
                }
                if let resumeNow { c.resume(with: resumeNow) }
            }
        } onCancel: {
            let sleeper: Sleeper? = state.withLock { s in
                guard let sleeper = s.sleepers.removeValue(forKey: id) else {
                    s.cancelledBeforeRegistration.insert(id)
                    return nil
                }
                return sleeper
            }
            sleeper?.continuation.resume(throwing: CancellationError())
        }
    }

    /// Moves time to `date` (never backwards) and wakes every sleeper due by then.
    public func advance(to date: Date) {
        let due: [Sleeper] = state.withLock { s in
            if date > s.now { s.now = date }
            let now = s.now
            let ids = s.sleepers.filter { $0.value.deadline <= now }.map(\.key)
            return ids.compactMap { s.sleepers.removeValue(forKey: $0) }
        }
        for sleeper in due { sleeper.continuation.resume() }
    }

    public func advance(by seconds: TimeInterval) {
        advance(to: now().addingTimeInterval(seconds))
    }
}
