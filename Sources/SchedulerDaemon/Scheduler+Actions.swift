import Foundation
import Logging
import MangroveAPI
import SchedulerCore
import ServiceLifecycle
import Systemd

/// Carrying out `PeriodRun` actions: journal first, then the runner's next step.
extension Scheduler {
    func execute(_ actions: [PeriodRun.Action], for id: String) throws {
        let now = deps.clock.now()
        for action in actions {
            guard var runner = runners[id] else { return }
            switch action {
            case .record(let entry) where entry.event == .intent:
                runner.pendingIntent = entry
            case .record(let entry):
                try appendOrStop(entry)
                if entry.event == .fired || entry.event == .previewEmpty { runner.holds = 0 }
            case .preview:
                runner.pending = .preview
                runner.pendingAt = now
                ready.append(id)
            case .post:
                runner.pending = .post
                runner.pendingAt = now
                ready.append(id)
            case .poll(let taskID, let at):
                runner.pending = .poll(taskID)
                runner.pendingAt = at
            case .checkBatches(let at):
                runner.pending = .checkBatches
                runner.pendingAt = at
            case .restart(let at):
                // Waiting to fire the same period again (failed task, empty preview): nothing is on the server.
                guard let waiting = try pauseRun(runner, id: id, until: at) else { continue }
                runner = waiting
            case .releaseSlot(let reason):
                if !runner.detached {
                    runner.detached = true
                    activeRuns -= 1
                    detachedRuns += 1
                    logger.warning(
                        "\(reason); its slot goes to other ledgers while it is still polled every \(ISODurationFormat.format(schedule.polling.maxInterval)) until it ends or task_timeout",
                        metadata: meta(id, runner.run?.period.startTime, task: runner.run?.taskID, event: "task_unresponsive"))
                }
            case .holdLedger(let until, let reason):
                logger.error(
                    "ledger \(id) unavailable: \(reason); its periods stay pending and it is re-checked at \(UTCTimestamp.format(until)); other ledgers carry on",
                    metadata: meta(id, runner.run?.period.startTime, event: "ledger_unavailable", error: reason))
                // Nothing of this period is on the server (the POST was refused or never sent).
                runner.holds += 1
                guard let waiting = try pauseRun(runner, id: id, until: until) else { continue }
                runner = waiting
            case .finished(let event):
                if runner.resumesInFlight, !runner.removed {
                    // Back on the schedule's own grid (and on to any other period in flight).
                    let holds = runner.holds
                    runner = LedgerRunner(ledger: runner.replacement ?? runner.ledger, records: state.records(ledgerID: id))
                    runner.holds = holds
                } else if let run = runner.run {
                    let next = runner.ledger.calendar.following(run.period)
                    let from = runner.retryFloor.map { min($0, next) } ?? next
                    runner.retryFloor = nil
                    if let replacement = runner.replacement {
                        runner = LedgerRunner(ledger: replacement, records: state.records(ledgerID: id))
                    } else {
                        runner.cursor = runner.planner.nextOpenPeriod(records: state.records(ledgerID: id), from: from)
                    }
                }
                runner.run = nil
                runner.pending = nil
                runner.pendingAt = nil
                runner.pendingIntent = nil
                releaseRunSlot(&runner)
                if runner.removed {
                    drop(id)
                    try resumeOrphan(id)
                    continue
                }
                ready.append(id)
            }
            runners[id] = runner
            reschedule(id)
        }
    }

    /// Ends a run that waits with nothing on the server, so its in-flight slot goes to other
    /// ledgers; the same period (the cursor) is started again from the journal at `until`.
    /// Returns nil when the ledger was removed by a reload and is now dropped.
    func pauseRun(_ runner: LedgerRunner, id: String, until: Date) throws -> LedgerRunner? {
        var runner = runner
        if let run = runner.run { runner.cursor = run.period }
        runner.run = nil
        runner.pending = nil
        runner.pendingAt = nil
        runner.pendingIntent = nil
        releaseRunSlot(&runner)
        if runner.removed {
            drop(id)
            try resumeOrphan(id)
            return nil
        }
        if let replacement = runner.replacement {
            let holds = runner.holds
            runner = LedgerRunner(ledger: replacement, records: state.records(ledgerID: id))
            runner.holds = holds
        }
        runner.heldUntil = until
        return runner
    }

    /// The run ended or paused: it stops counting as in flight.
    func releaseRunSlot(_ runner: inout LedgerRunner) {
        if runner.detached {
            runner.detached = false
            detachedRuns -= 1
        } else {
            activeRuns -= 1
        }
    }

    func drop(_ id: String) {
        runners[id] = nil
        order.removeAll { $0 == id }
        wakeQueue.schedule(id, at: nil)
    }

    /// Folds a journaled entry into the state, keeping the failure count of STATUS= current.
    func apply(_ entry: JournalEntry) {
        let isFailure = { (e: JournalEvent?) in e == .failed || e == .ambiguous }
        if isFailure(state.record(entry.key)?.lastEvent) { failures -= 1 }
        state.apply(entry)
        if isFailure(entry.event) { failures += 1 }
    }
}
