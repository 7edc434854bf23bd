import Foundation

/// The listing of a ledger's batches that every POST waits for (`LookBeforeFire`).
extension SchedulerState {
    /// Records every due period the listing shows as generated, then lets the POST go only
    /// if the run's own period is clear and the journal agreed with the API.
    mutating func listingReturned(_ id: String, run: PeriodRun, takenAt: Date, _ answer: Result<[BatchSpanText], APIErrorSummary>) {
        let listing: LedgerBatches
        switch answer {
        case .failure(let error):
            cannotVerify(id, run: run, error)
            return
        case .success(let batches):
            switch LedgerBatches.parse(batches.map { ($0.id, $0.start, $0.end) }, takenAt: takenAt) {
            case .failure(let problem):
                cannotVerify(id, run: run, APIErrorSummary(kind: .unreachable, message: "invalid response: \(problem)"))
                return
            case .success(let parsed):
                listing = parsed
            }
        }
        runners[id]?.listing = listing
        let found = recordFoundPeriods(id, listing: listing, except: run.period)
        let verdict = listing.verdict(for: run.period)
        if verdict == .clear, found == 0 {
            // The journal and the API agree: the POST goes out (the rate limit still applies).
            markReady(id)
            reschedule(id)
            return
        }
        settleWithoutPost(id, run: run, verdict: verdict, found: found)
    }

    /// A fresh run of `run`'s period from the journal: the intent prepared for the POST was
    /// never written.
    func freshRun(_ run: PeriodRun, holds: Int) -> PeriodRun {
        let record = journal.record(run.key).flatMap { $0.periodEnd == run.period.endTime ? $0 : nil }
        return PeriodRun(ledger: run.ledger, period: run.period, record: record, polling: schedule.polling, recovery: schedule.recovery, ledgerHolds: holds)
    }

    /// Ends or pauses a run whose POST must not be sent: its period has batches (recorded),
    /// a batch partly overlaps it (held), or other periods had batches the journal did not
    /// know about (`found`), so recent activity is waited out before listing again.
    mutating func settleWithoutPost(_ id: String, run: PeriodRun, verdict: PeriodVerdict, found: Int) {
        guard var runner = runners[id] else { return }
        var fresh = freshRun(run, holds: runner.holds)
        runner.pendingIntent = nil
        let window = schedule.recovery.reconcileWindow
        let until = now.timeline.addingTimeInterval(window.seconds)
        let steps: [PeriodRun.Action]
        var divergent = found
        switch verdict {
        case .found(let ids):
            steps = fresh.foundOnAPI(batchIDs: ids, now: now.timeline)
            divergent += 1
        case .conflict(let span):
            log(.error, "ledger \(id) held: batch \(span.id) on the API only partly overlaps \(run.period.startTime)…\(run.period.endTime); nothing is generated for this ledger",
                event: "batch_conflict", ledgerID: id, periodStart: run.period.startTime)
            steps = fresh.conflictOnAPI(span, now: now.timeline)
            runner.holds += 1
        case .clear:
            steps = fresh.awaitRecentActivity(until: until, found: found, now: now.timeline)
        }
        if divergent > 0 {
            runner.listing = nil
            log(.warning,
                "ledger \(id): the API has batches for \(divergent) period\(divergent == 1 ? "" : "s") the journal did not record (generated in the app, or the journal was restored from an older copy); they are recorded, not generated again, and the ledger waits \(ISODurationFormat.format(window)) (recovery.reconcile_window) for generations that may still be running before listing again",
                event: "divergence", ledgerID: id)
        }
        runner.run = fresh
        runners[id] = runner
        carryOut(steps, for: id)
        if divergent > 0, var after = runners[id] {
            if after.run == nil, (after.heldUntil ?? .distantPast) < until { after.heldUntil = until }
            after.listing = nil
            runners[id] = after
            reschedule(id)
        }
    }

    /// The listing failed: nothing is fired for this ledger; it is held with backoff.
    mutating func cannotVerify(_ id: String, run: PeriodRun, _ error: APIErrorSummary) {
        guard var runner = runners[id] else { return }
        log(.warning,
            "ledger \(id): cannot list its batches before generating \(run.period.startTime) (\(error.message)); nothing is fired for this ledger until they can be listed",
            event: "ledger_unverified", ledgerID: id, periodStart: run.period.startTime, error: error.message)
        var fresh = freshRun(run, holds: runner.holds)
        runner.pendingIntent = nil
        runner.listing = nil
        let steps = fresh.listingFailed(error, now: now.timeline)
        runner.holds += 1
        runner.run = fresh
        runners[id] = runner
        carryOut(steps, for: id)
    }

    /// Records `completed` (found on the API) for every due, open period of the ledger other
    /// than `except` that the listing shows batches for. Returns how many.
    mutating func recordFoundPeriods(_ id: String, listing: LedgerBatches, except: Period) -> Int {
        guard let runner = runners[id], !listing.spans.isEmpty else { return 0 }
        let records = journal.records(ledgerID: id)
        var period = runner.planner.nextOpenPeriod(records: records)
        var found = 0
        var steps = 0
        while runner.ledger.dueInstant(of: period) <= now.wall, steps < 100_000 {
            defer {
                period = runner.ledger.calendar.following(period)
                steps += 1
            }
            if period.start == except.start { continue }
            let record = records[period.startTime]
            if let record, record.periodEnd != period.endTime || record.isTerminal || record.isInFlight { continue }
            guard case .found(let ids) = listing.verdict(for: period) else { continue }
            var run = PeriodRun(ledger: runner.ledger, period: period, record: record, polling: schedule.polling, recovery: schedule.recovery)
            for case .record(let entry) in run.foundOnAPI(batchIDs: ids, now: now.timeline) {
                append(entry)
            }
            found += 1
        }
        return found
    }
}
