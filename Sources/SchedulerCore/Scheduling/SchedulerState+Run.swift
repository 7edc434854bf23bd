import Foundation

/// Carrying out a `PeriodRun`'s actions: journal first, then the runner's next step.
extension SchedulerState {
    mutating func carryOut(_ steps: [PeriodRun.Action], for id: String) {
        for step in steps {
            guard var runner = runners[id] else { return }
            switch step {
            case .record(let entry) where entry.event == .intent:
                // Written at the moment the POST goes out (after the rate limit and the listing).
                runner.pendingIntent = entry
            case .record(let entry):
                append(entry)
                if entry.event == .fired || entry.event == .previewEmpty { runner.holds = 0 }
            case .preview:
                runner.pending = .preview
                runner.pendingAt = now.timeline
                markReady(id)
            case .post:
                runner.pending = .post
                runner.pendingAt = now.timeline
                markReady(id)
            case .poll(let taskID, let at):
                runner.pending = .poll(taskID)
                runner.pendingAt = at
            case .checkBatches(let at):
                runner.pending = .checkBatches
                runner.pendingAt = at
            case .restart(let at):
                // Waiting to fire the same period again (failed task, empty preview, a hold of
                // the listing check): nothing is on the server.
                guard let waiting = pauseRun(runner, id: id, until: at) else { continue }
                runner = waiting
            case .holdLedger(let until, let reason):
                log(.error,
                    "ledger \(id) unavailable: \(reason); its periods stay pending and it is re-checked at \(UTCTimestamp.format(until.addingTimeInterval(wallOffset))); other ledgers carry on",
                    event: "ledger_unavailable", ledgerID: id, periodStart: runner.run?.period.startTime, error: reason)
                runner.holds += 1
                guard let waiting = pauseRun(runner, id: id, until: until) else { continue }
                runner = waiting
            case .releaseSlot(let reason):
                if !runner.detached {
                    runner.detached = true
                    activeRuns -= 1
                    detachedRuns += 1
                    log(.warning,
                        "\(reason); its slot goes to other ledgers while it is still polled every \(ISODurationFormat.format(schedule.polling.maxInterval)) until it ends or task_timeout",
                        event: "task_unresponsive", ledgerID: id, periodStart: runner.run?.period.startTime, taskID: runner.run?.taskID)
                }
            case .finished:
                if runner.resumesInFlight, !runner.removed {
                    // Back on the schedule's own grid (and on to any other period in flight).
                    let holds = runner.holds
                    runner = LedgerRunner(ledger: runner.replacement ?? runner.ledger, records: journal.records(ledgerID: id))
                    runner.holds = holds
                } else if let run = runner.run {
                    let next = runner.ledger.calendar.following(run.period)
                    let from = runner.retryFloor.map { min($0, next) } ?? next
                    runner.retryFloor = nil
                    if let replacement = runner.replacement {
                        runner = LedgerRunner(ledger: replacement, records: journal.records(ledgerID: id))
                    } else {
                        runner.cursor = runner.planner.nextOpenPeriod(records: journal.records(ledgerID: id), from: from)
                    }
                }
                clearRun(&runner)
                if runner.removed {
                    drop(id)
                    resumeOrphan(id)
                    continue
                }
                markReady(id)
            }
            runners[id] = runner
            reschedule(id)
        }
    }

    /// Ends a run that waits with nothing on the server, so its slot goes to other ledgers;
    /// the same period (the cursor) is started again from the journal at `until`. Returns
    /// nil when the ledger was removed by a reload and is now dropped.
    mutating func pauseRun(_ runner: LedgerRunner, id: String, until: Date) -> LedgerRunner? {
        var runner = runner
        if let run = runner.run { runner.cursor = run.period }
        clearRun(&runner)
        if runner.removed {
            drop(id)
            resumeOrphan(id)
            return nil
        }
        if let replacement = runner.replacement {
            let holds = runner.holds
            runner = LedgerRunner(ledger: replacement, records: journal.records(ledgerID: id))
            runner.holds = holds
        }
        runner.heldUntil = until
        return runner
    }

    /// The run ended or paused: it stops counting as in flight.
    mutating func clearRun(_ runner: inout LedgerRunner) {
        runner.run = nil
        runner.pending = nil
        runner.pendingAt = nil
        runner.pendingIntent = nil
        if runner.detached {
            runner.detached = false
            detachedRuns -= 1
        } else {
            activeRuns -= 1
        }
    }

    mutating func drop(_ id: String) {
        runners[id] = nil
        order.removeAll { $0 == id }
        wakeQueue.schedule(id, at: nil)
    }

    /// Resumes the oldest in-flight period of a ledger that is not (or no longer) in the
    /// schedule, so a generation that may exist on the server is still polled or reconciled
    /// to a terminal event; nothing new is started for that ledger.
    mutating func resumeOrphan(_ ledgerID: String) {
        guard let key = journal.inFlight.first(where: { $0.ledgerID == ledgerID }), let record = journal.record(key),
              let start = UTCTimestamp.parse(key.periodStart), let lastSecond = UTCTimestamp.parse(record.periodEnd)
        else { return }
        log(.warning, "ledger \(ledgerID) is not in the schedule but \(key.periodStart) is in flight; following it to its end",
            ledgerID: ledgerID, periodStart: key.periodStart, taskID: record.taskID)
        let period = Period(start: start, end: lastSecond.addingTimeInterval(1))
        let ledger = LedgerSchedule(id: ledgerID, cadence: .daily, firstPeriodStart: start)
        var runner = LedgerRunner(ledger: ledger, records: LedgerRecords())
        runner.removed = true
        var run = PeriodRun(ledger: ledger, period: period, record: record, polling: schedule.polling, recovery: schedule.recovery)
        let steps = run.start(now: now.timeline)
        runner.run = run
        runners[ledgerID] = runner
        if !order.contains(ledgerID) { order.append(ledgerID) }
        activeRuns += 1
        carryOut(steps, for: ledgerID)
    }
}
