import Foundation
import SchedulerCore

/// The seam tests, the demo and the benchmarks drive virtual time through: `poke()` asks
/// the loop to look again, `settle()` waits until everything asked has been handled and
/// nothing is due; `snapshot` shows what the loop has done. In production only
/// `settleIfIdle()` runs, and it does nothing while no one waits.
extension Scheduler {
    /// Re-evaluates now (after a test or the demo moved a virtual clock); `settle()` waits for it.
    public func poke() {
        guard let continuation else { return }
        outstanding += 1
        continuation.yield(.poke)
    }

    /// Returns once the loop is running (journal replayed, READY sent).
    public func waitUntilRunning() async {
        if continuation != nil, readyAt != nil { return }
        await withCheckedContinuation { runningWaiters.append($0) }
    }

    /// Returns once every call and poke already made has been handled and nothing is due.
    public func settle() async {
        if outstanding == 0 { return }
        await withCheckedContinuation { settleWaiters.append($0) }
    }

    func settleIfIdle() {
        guard outstanding == 0, !settleWaiters.isEmpty else { return }
        if !state.isStopping, let next = state.nextWake(), next <= deps.clock.now() {
            poke()
            return
        }
        let waiters = settleWaiters
        settleWaiters = []
        for w in waiters { w.resume() }
    }

    public var snapshot: Snapshot {
        var copy = state
        return Snapshot(ledgers: state.order.count, activeRuns: state.inFlight, nextWakeup: copy.nextWake(), state: state.journal,
            pendingInputs: outstanding, nextWorkWakeup: copy.nextWorkWake())
    }
}
