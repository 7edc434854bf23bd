import Foundation
import Logging
import MangroveAPI
import SchedulerCore
import ServiceLifecycle
import Systemd

/// SIGHUP reloads and operator retry requests.
extension Scheduler {
    func reload() throws {
        try? deps.notifier.reloading()
        logger.info("reloading the schedule", metadata: ["mangrove_event": "reload"])
        let new: Schedule
        do {
            new = try deps.reloadSchedule()
        } catch let error as ScheduleError {
            for problem in error.problems {
                logger.error("reload rejected: \(problem.formatted(file: error.file))", metadata: ["mangrove_event": "reload_rejected"])
            }
            logger.error("reload rejected: the schedule in force is unchanged", metadata: ["mangrove_event": "reload_rejected"])
            try applyRetryRequests()
            try? deps.notifier.ready(status: statusLine())
            return
        } catch {
            logger.error("reload rejected: \(error); the schedule in force is unchanged", metadata: ["mangrove_event": "reload_rejected"])
            try applyRetryRequests()
            try? deps.notifier.ready(status: statusLine())
            return
        }
        if new.api != schedule.api {
            logger.warning("api settings changed (base_url, token_file or timeouts); they take effect only after a restart", metadata: ["mangrove_event": "reload"])
        }
        if new.journalPath != schedule.journalPath {
            logger.warning("journal_path changed to \(new.journalPath); this takes effect only after a restart", metadata: ["mangrove_event": "reload"])
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
                        runner = LedgerRunner(ledger: ledger, records: state.records(ledgerID: ledger.id))
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
                runners[ledger.id] = LedgerRunner(ledger: ledger, records: state.records(ledgerID: ledger.id))
                order.append(ledger.id)
            }
            reschedule(ledger.id)
        }
        schedule = Schedule(
            api: schedule.api, journalPath: schedule.journalPath, ledgers: new.ledgers, limits: new.limits,
            polling: new.polling, recovery: new.recovery)
        limiter = RateLimiter(rate: new.limits.requestsPerSecond)
        try applyRetryRequests()
        logger.info("schedule reloaded: \(added) added, \(removed) removed, \(changed) changed, \(order.count) ledgers", metadata: ["mangrove_event": "reload"])
        try? deps.notifier.ready(status: statusLine())
    }

    func applyRetryRequests() throws {
        let (requests, problems) = RetryRequestFile.take(journalPath: journal.path)
        for p in problems { logger.warning("\(p)", metadata: ["mangrove_event": "retry_rejected"]) }
        for request in requests {
            let key = PeriodKey(ledgerID: request.ledgerID, periodStart: request.periodStart)
            guard var runner = runners[request.ledgerID], !runner.removed else {
                logger.warning("retry of \(key) ignored: ledger \(request.ledgerID) is not in the schedule", metadata: meta(request.ledgerID, request.periodStart, event: "retry_rejected"))
                continue
            }
            guard let record = state.record(key), record.lastEvent == .failed || record.lastEvent == .ambiguous || record.lastEvent == .skipped else {
                let what = state.record(key).map { "its last event is \($0.lastEvent.rawValue)" } ?? "the journal has no such period"
                logger.warning("retry of \(key) ignored: only failed, ambiguous or skipped periods can be retried; \(what)", metadata: meta(request.ledgerID, request.periodStart, event: "retry_rejected"))
                continue
            }
            guard let start = UTCTimestamp.parse(request.periodStart) else { continue }
            let period = runner.ledger.calendar.period(containing: start)
            let entry = JournalEntry(
                time: deps.clock.now(), ledgerID: request.ledgerID, periodStart: request.periodStart, periodEnd: record.periodEnd,
                event: .retryRequested, detail: "requested by an operator (mangrove-scheduler retry)")
            do {
                try journal.append(entry)
            } catch {
                logger.critical("retry of \(key) not recorded: \(error); stopping so that nothing happens unrecorded", metadata: meta(request.ledgerID, request.periodStart, event: "retry_rejected"))
                throw error
            }
            apply(entry)
            log(entry)
            if runner.run == nil {
                if period.start < runner.cursor.start { runner.cursor = period }
            } else {
                runner.retryFloor = min(runner.retryFloor ?? period, period)
            }
            runners[request.ledgerID] = runner
            reschedule(request.ledgerID)
        }
        RetryRequestFile.finishTaking(journalPath: journal.path)
    }
}
