import Foundation

/// Starting due work: a ledger's next period, or its run's next call.
extension SchedulerState {
    /// Does the due work of one ledger.
    mutating func act(_ id: String, using rng: inout some RandomNumberGenerator) {
        guard var runner = runners[id], !runner.busy else { return }
        if let run = runner.run {
            guard let pending = runner.pending, let at = runner.pendingAt else { return }
            if at > now.timeline {
                reschedule(id)
                return
            }
            if let later = limiter.acquire(now: now.timeline) {
                runner.pendingAt = later
                runners[id] = runner
                reschedule(id)
                return
            }
            if pending == .post, controls.isPaused(id) {
                // Paused: no POST goes out, not even a re-fire of the run's own period (its
                // task, if any, has ended). The period is picked up again from the journal
                // on resume.
                if let paused = pauseRun(runner, id: id, until: now.timeline) {
                    runners[id] = paused
                    reschedule(id)
                }
                return
            }
            if pending == .post {
                let lastPost = journal.record(run.key)?.lastIntentAt
                guard LookBeforeFire.isFresh(runner.listing, lastPostAt: lastPost, now: now.timeline, maxAge: schedule.recovery.verifyMaxAge)
                else {
                    // Look before you fire: no POST without a fresh listing of the ledger's batches.
                    runner.listing = nil
                    runner.busy = true
                    runners[id] = runner
                    let since = LookBeforeFire.createdSince(earliestStart: run.period.start)
                    actions.append(.call(ledgerID: id, .listing(createdSince: since, takenAt: now.timeline)))
                    return
                }
                if let verdict = runner.listing?.verdict(for: run.period), verdict != .clear {
                    settleWithoutPost(id, run: run, verdict: verdict, found: 0)
                    return
                }
                if var intent = runner.pendingIntent {
                    intent.time = now.timeline
                    append(intent)
                    runner.pendingIntent = nil
                }
                postsInFlight += 1
            }
            runner.pending = nil
            runner.pendingAt = nil
            runner.busy = true
            runners[id] = runner
            actions.append(.call(ledgerID: id, call(pending, run: run, since: LookBeforeFire.createdSince(earliestStart: run.period.start))))
            return
        }
        // Paused by an operator: nothing new fires (the wake-up is not armed either).
        guard !runner.removed, !controls.isPaused(id) else { return }
        if runner.ledger.dueInstant(of: runner.cursor) > now.wall || (runner.heldUntil.map { $0 > now.timeline } ?? false) {
            reschedule(id)
            return
        }
        // The slot check comes before anything that formats or looks up: with thousands
        // of ledgers waiting, a pass must stay cheap. A free slot goes to the ledger that
        // waited longest: a ledger that just finished a period queues behind the waiters.
        guard activeRuns < schedule.limits.maxInFlight, servingSlotQueue || slotQueueHead == slotQueue.count else {
            waitForSlot(id)
            return
        }
        let period = runner.cursor
        // A record counts only when it is this very period (same start *and* end): after a
        // cadence or time-zone change, an overlapping period already in the journal holds
        // the ledger with an error instead of being generated a second time.
        let existing = journal.record(PeriodKey(ledgerID: id, periodStart: period.startTime))
        let record = existing?.periodEnd == period.endTime ? existing : nil
        if !(record?.isInFlight ?? false), let conflict = runner.planner.conflict(for: period) {
            let until = now.timeline.addingTimeInterval(PeriodRun.holdDelay(schedule.recovery, holds: runner.holds).seconds)
            runner.holds += 1
            runner.heldUntil = until
            runners[id] = runner
            reschedule(id)
            let reason = "period \(period.startTime)…\(period.endTime) overlaps period \(conflict.periodStart) already in the journal (\(conflict.event.rawValue)) under another cadence or time zone; generating it could double-count. Restore the ledger's cadence and time_zone, or move first_period_start past the generated periods"
            log(.error, "ledger \(id) held: \(reason)", event: "ledger_unavailable", ledgerID: id, periodStart: period.startTime, error: reason)
            return
        }
        activeRuns += 1
        var run = PeriodRun(
            ledger: runner.ledger, period: period, record: record,
            polling: schedule.polling, recovery: schedule.recovery, ledgerHolds: runner.holds,
            recentDurations: journal.recentDurations(ledgerID: id))
        let steps = run.start(now: now.timeline)
        runner.run = run
        runners[id] = runner
        carryOut(steps, for: id)
    }

    func call(_ pending: LedgerRunner.Pending, run: PeriodRun, since: Date) -> SchedulerCall {
        switch pending {
        case .preview: .preview(startTime: run.period.startTime, endTime: run.period.endTime)
        case .post: .post(startTime: run.period.startTime, endTime: run.period.endTime)
        case .poll(let taskID): .poll(taskID: taskID)
        case .checkBatches: .reconcile(createdSince: since)
        }
    }
}
