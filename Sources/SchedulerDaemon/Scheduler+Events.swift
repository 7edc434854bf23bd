import Foundation
import Logging
import MangroveAPI
import SchedulerCore
import ServiceLifecycle
import Systemd

/// Turning results of network calls and signals into state-machine events.
extension Scheduler {
    func handle(_ event: Event, _ group: inout ThrowingDiscardingTaskGroup<any Error>) throws {
        let now = deps.clock.now()
        switch event {
        case .tick(let timer):
            if let timer, timer >= 0 { timers[timer] = nil }
        case .reload:
            if !shuttingDown { try reload() }
        case .shutdown:
            shuttingDown = true
            try? deps.notifier.stopping()
            logger.info("stopping: no new generations; \(postsInFlight) POSTs awaiting their answer", metadata: ["mangrove_event": "stopping"])
            if postsInFlight > 0 {
                let grace = deps.shutdownGrace
                let continuation = continuation
                group.addTask {
                    try? await Task.sleep(for: grace)
                    continuation?.yield(.shutdownDeadline)
                }
            }
        case .shutdownDeadline:
            // Cancel what is left: a POST still waiting between attempts ends as `not_fired`,
            // one on the wire as `reconciling` (resolved after the restart).
            logger.warning("stopping: cancelling \(postsInFlight) POSTs still unanswered", metadata: ["mangrove_event": "stopping"])
            group.cancelAll()
        case .preview(let id, let result):
            try finishCall(id, isPost: false) { run in
                switch result {
                case .success(let entries): run.previewReturned(entries.map { ($0.id, $0.count) }, now: now)
                case .failure(let error): run.previewFailed(APIErrorSummary(error, isPost: false), now: now)
                }
            }
        case .post(let id, let result):
            postsInFlight -= 1
            try finishCall(id, isPost: true) { run in
                switch result {
                case .success(let task): run.postAccepted(taskID: task.id, state: task.state.rawValue, now: now)
                case .failure(let error): run.postFailed(APIErrorSummary(error, isPost: true), now: now)
                }
            }
        case .poll(let id, let result):
            try finishCall(id, isPost: false) { run in
                switch result {
                case .success(let task):
                    return run.pollReturned(state: task.state.rawValue, progress: task.progress, errorMessage: task.errorMessage, now: now, using: &rng)
                case .failure(let error):
                    logger.warning("polling task \(run.taskID ?? 0) failed: \(error); polling again later", metadata: meta(id, run.period.startTime, task: run.taskID))
                    return run.pollFailed(APIErrorSummary(error, isPost: false), now: now, using: &rng)
                }
            }
        case .batches(let id, let result):
            try finishCall(id, isPost: false) { run in
                switch result {
                case .success(let batches): run.batchesReturned(batches.map { ($0.id, $0.startTime, $0.endTime) }, now: now)
                case .failure(let error): run.batchesFailed(APIErrorSummary(error, isPost: false), now: now)
                }
            }
        }
    }

    func finishCall(_ id: String, isPost: Bool, _ body: (inout PeriodRun) throws -> [PeriodRun.Action]) throws {
        outstanding -= 1
        guard var runner = runners[id], var run = runner.run else { return }
        runner.busy = false
        if shuttingDown, !isPost {
            // Only POST answers still count while stopping (they carry task ids or say
            // nothing was sent); polls and previews resume after the restart.
            runners[id] = runner
            return
        }
        let actions = try body(&run)
        runner.run = run
        runners[id] = runner
        try execute(actions, for: id)
    }

    /// Resumes `settle()` callers once nothing is in flight and nothing is due at the
    /// current time (if something is due, the loop pokes itself first), so a test or the
    /// demo can move a virtual clock without racing the loop.
    func settleIfIdle() {
        guard outstanding == 0, !settleWaiters.isEmpty else { return }
        if !shuttingDown, let next = wakeQueue.peekValue(), next <= deps.clock.now() {
            poke()
            return
        }
        let waiters = settleWaiters
        settleWaiters = []
        for w in waiters { w.resume() }
    }
}
