import Foundation

/// Start-up, SIGHUP reloads and operator retry requests.
extension SchedulerState {
    mutating func start(_ replayed: JournalState, problems: [JournalProblem], requests: RequestBatch, using rng: inout some RandomNumberGenerator) {
        journal = replayed
        wallOffset = now.wall.timeIntervalSince(now.timeline)
        // Sized once: growing the per-ledger tables of 50,000 ledgers copies each of them
        // a dozen times, and the copies stay resident.
        let ledgerCount = schedule.ledgers.count
        runners.reserveCapacity(ledgerCount)
        if reportsLedgerStatus { ledgerStatus.reserveCapacity(ledgerCount) }
        overdueLogs.reserveCapacity(ledgerCount)
        lastCompleted.reserveCapacity(ledgerCount)
        order.reserveCapacity(ledgerCount)
        let path = schedule.journalPath
        for p in problems {
            if p.isTornTail {
                log(.warning, "journal \(path): \(p); the file was repaired", event: "journal_repaired")
            } else {
                log(.error, "journal \(path): \(p)", event: "journal_corrupt_line")
            }
        }
        failures = journal.ledgers.values.reduce(0) { sum, periods in
            sum + periods.others.values.filter { $0.lastEvent == .failed || $0.lastEvent == .ambiguous }.count
        }
        for ledger in schedule.ledgers {
            runners[ledger.id] = LedgerRunner(ledger: ledger, records: journal.records(ledgerID: ledger.id))
            order.append(ledger.id)
            reschedule(ledger.id)
            statusDirty.insert(ledger.id)
        }
        // Periods in flight on the server are resumed even when their ledger is no longer scheduled.
        for ledgerID in Set(journal.inFlight.map(\.ledgerID)).sorted() where runners[ledgerID] == nil {
            resumeOrphan(ledgerID)
        }
        applyRetries(requests)
        let count = order.count
        log(.info,
            "journal replayed: \(journal.lineCount) lines; \(journal.inFlight.count) periods in flight; \(count) ledger\(count == 1 ? "" : "s") scheduled",
            event: "started")
    }

    mutating func reload(_ reload: ScheduleReload, requests: RequestBatch) {
        let new: Schedule
        switch reload {
        case .rejected(let problems):
            for problem in problems { log(.error, "reload rejected: \(problem)", event: "reload_rejected") }
            log(.error, "reload rejected: the schedule in force is unchanged", event: "reload_rejected")
            applyRetries(requests)
            return
        case .loaded(let loaded):
            new = loaded
        }
        if new.api != schedule.api {
            log(.warning, "api settings changed (base_url, token_file or timeouts); they take effect only after a restart", event: "reload")
        }
        if new.journalPath != schedule.journalPath {
            log(.warning, "journal_path changed to \(new.journalPath); this takes effect only after a restart", event: "reload")
        }
        let newIDs = Set(new.ledgers.map(\.id))
        var added = 0, removed = 0, changed = 0
        for id in order where !newIDs.contains(id) {
            guard var runner = runners[id] else { continue }
            removed += 1
            if runner.run == nil {
                drop(id)
            } else {
                runner.removed = true
                runners[id] = runner
            }
        }
        for ledger in new.ledgers {
            if var runner = runners[ledger.id] {
                runner.removed = false
                if runner.ledger != ledger {
                    changed += 1
                    if runner.run == nil {
                        // A held ledger stays held: editing the schedule is no reason to hammer the API.
                        let (heldUntil, holds, listing) = (runner.heldUntil, runner.holds, runner.listing)
                        runner = LedgerRunner(ledger: ledger, records: journal.records(ledgerID: ledger.id))
                        runner.heldUntil = heldUntil
                        runner.holds = holds
                        runner.listing = listing
                    } else {
                        runner.replacement = ledger
                    }
                } else if runner.replacement != nil {
                    // A change made by an earlier reload was undone before it took effect.
                    changed += 1
                    runner.replacement = nil
                }
                runners[ledger.id] = runner
            } else {
                added += 1
                runners[ledger.id] = LedgerRunner(ledger: ledger, records: journal.records(ledgerID: ledger.id))
                order.append(ledger.id)
            }
            reschedule(ledger.id)
            statusDirty.insert(ledger.id)
        }
        if new.metrics != schedule.metrics {
            log(.warning, "metrics settings changed; they take effect only after a restart", event: "reload")
        }
        if new.alerts != schedule.alerts {
            for id in order { statusDirty.insert(id) }
        }
        for id in ledgerStatus.keys where !newIDs.contains(id) { forgetStatus(id) }
        schedule = Schedule(
            api: schedule.api, journalPath: schedule.journalPath, ledgers: new.ledgers, limits: new.limits,
            polling: new.polling, recovery: new.recovery, metrics: schedule.metrics, alerts: new.alerts)
        limiter = RateLimiter(rate: new.limits.requestsPerSecond)
        applyRetries(requests)
        log(.info, "schedule reloaded: \(added) added, \(removed) removed, \(changed) changed, \(order.count) ledgers", event: "reload")
    }

    /// Journals `retry_requested` for each failed, ambiguous or skipped period asked for,
    /// and moves its ledger back to it.
    mutating func applyRetries(_ requests: RequestBatch) {
        for p in requests.problems { log(.warning, p, event: "retry_rejected") }
        for request in requests.retries {
            let key = PeriodKey(ledgerID: request.ledgerID, periodStart: request.periodStart)
            guard var runner = runners[request.ledgerID], !runner.removed else {
                log(.warning, "retry of \(key) ignored: ledger \(request.ledgerID) is not in the schedule",
                    event: "retry_rejected", ledgerID: request.ledgerID, periodStart: request.periodStart)
                continue
            }
            guard let record = journal.record(key), [.failed, .ambiguous, .skipped].contains(record.lastEvent) else {
                let what = journal.record(key).map { "its last event is \($0.lastEvent.rawValue)" } ?? "the journal has no such period"
                log(.warning, "retry of \(key) ignored: only failed, ambiguous or skipped periods can be retried; \(what)",
                    event: "retry_rejected", ledgerID: request.ledgerID, periodStart: request.periodStart)
                continue
            }
            guard let start = UTCTimestamp.parse(request.periodStart) else { continue }
            let period = runner.ledger.calendar.period(containing: start)
            append(JournalEntry(
                time: now.timeline, ledgerID: request.ledgerID, periodStart: request.periodStart, periodEnd: record.periodEnd,
                event: .retryRequested, detail: "requested by an operator (mangrove-scheduler retry)"))
            if runner.run == nil {
                if period.start < runner.cursor.start { runner.cursor = period }
            } else {
                runner.retryFloor = min(runner.retryFloor ?? period, period)
            }
            runners[request.ledgerID] = runner
            reschedule(request.ledgerID)
        }
    }
}
