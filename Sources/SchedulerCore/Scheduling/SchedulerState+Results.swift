import Foundation

/// Answers of API calls, fed to the ledger's period run.
extension SchedulerState {
    mutating func returned(_ id: String, _ result: CallResult, using rng: inout some RandomNumberGenerator) {
        if case .post = result { postsInFlight = max(0, postsInFlight - 1) }
        guard var runner = runners[id] else { return }
        runner.busy = false
        runners[id] = runner
        guard var run = runner.run else { return }
        if isStopping {
            // Only POST answers still count while stopping (they carry task ids or say nothing
            // was sent); polls, listings and previews resume after the restart.
            guard case .post = result else { return }
        }
        let steps: [PeriodRun.Action]
        let t = now.timeline
        switch result {
        case .preview(.success(let counts)):
            steps = run.previewReturned(counts.map { ($0.ledgerID, $0.count) }, now: t)
        case .preview(.failure(let error)):
            steps = run.previewFailed(error, now: t)
        case .post(.success(let task)):
            steps = run.postAccepted(taskID: task.taskID, state: task.state, now: t)
        case .post(.failure(let error)):
            steps = run.postFailed(error, now: t)
        case .poll(.success(let reading)):
            steps = run.pollReturned(
                state: reading.state, progress: reading.progress, startedAt: reading.startedAt, errorMessage: reading.errorMessage, now: t, using: &rng)
        case .poll(.failure(let error)):
            log(.warning, "polling task \(run.taskID ?? 0) failed: \(error.message); polling again later",
                ledgerID: id, periodStart: run.period.startTime, taskID: run.taskID)
            steps = run.pollFailed(error, now: t, using: &rng)
        case .reconcile(.success(let batches)):
            steps = run.batchesReturned(batches.map { ($0.id, $0.start, $0.end) }, now: t)
        case .reconcile(.failure(let error)):
            steps = run.batchesFailed(error, now: t)
        case .listing(let takenAt, let answer):
            guard runner.pending == .post else { return }
            listingReturned(id, run: run, takenAt: takenAt, answer)
            return
        }
        runner.run = run
        runners[id] = runner
        carryOut(steps, for: id)
    }
}
