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
                let deadline = now.addingTimeInterval(deps.shutdownGrace.seconds)
                let continuation = continuation
                let clock = deps.clock
                group.addTask {
                    while clock.now() < deadline, !Task.isCancelled { try? await clock.sleep(until: deadline) }
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
        case .listing(let id, let takenAt, let result):
            outstanding -= 1
            try finishListing(id, takenAt: takenAt, result, now: now)
        case .batches(let id, let result):
            try finishCall(id, isPost: false) { run in
                switch result {
                case .success(let batches): run.batchesReturned(batches.map { ($0.id, $0.startTime, $0.endTime) }, now: now)
                case .failure(let error): run.batchesFailed(APIErrorSummary(error, isPost: false), now: now)
                }
            }
        }
    }

    /// A listing of the ledger's batches came back for the POST the ledger's run waits to
    /// send: record every due period it shows as generated, then send the POST only if the
    /// run's own period is clear and the journal agreed with the API.
    func finishListing(_ id: String, takenAt: Date, _ result: Result<[Batch], any Error>, now: Date) throws {
        guard var runner = runners[id] else { return }
        runner.busy = false
        runners[id] = runner
        guard let run = runner.run, runner.pending == .post, !shuttingDown else { return }
        let listing: LedgerBatches
        switch result {
        case .failure(let error):
            try cannotVerify(id, run: run, APIErrorSummary(error, isPost: false), now: now)
            return
        case .success(let batches):
            switch LedgerBatches.parse(batches.map { ($0.id, $0.startTime, $0.endTime) }, takenAt: takenAt) {
            case .failure(let problem):
                try cannotVerify(id, run: run, APIErrorSummary(kind: .unreachable, message: "invalid response: \(problem)"), now: now)
                return
            case .success(let parsed):
                listing = parsed
            }
        }
        runner.listing = listing
        runners[id] = runner
        let found = try recordFoundPeriods(id, listing: listing, except: run.period, now: now)
        let verdict = listing.verdict(for: run.period)
        if verdict == .clear, found == 0 {
            // The journal and the API agree: send the POST (the rate limiter still applies).
            ready.append(id)
            reschedule(id)
            return
        }
        try settleWithoutPost(id, run: run, verdict: verdict, found: found, now: now)
    }

    /// Ends or pauses a run whose POST must not be sent: its period has batches (recorded),
    /// a batch partly overlaps it (held), or other periods had batches the journal did not
    /// know about (`found`), so recent activity is waited out before listing again.
    func settleWithoutPost(_ id: String, run: PeriodRun, verdict: PeriodVerdict, found: Int, now: Date) throws {
        guard var runner = runners[id] else { return }
        // A fresh run from the journal: the intent prepared for the POST was never written.
        var fresh = PeriodRun(
            ledger: run.ledger, period: run.period, record: state.record(run.key).flatMap { $0.periodEnd == run.period.endTime ? $0 : nil },
            polling: schedule.polling, recovery: schedule.recovery, ledgerHolds: runner.holds)
        runner.pendingIntent = nil
        let window = schedule.recovery.reconcileWindow
        let actions: [PeriodRun.Action]
        var divergent = found
        switch verdict {
        case .found(let ids):
            actions = fresh.foundOnAPI(batchIDs: ids, now: now)
            divergent += 1
        case .conflict(let span):
            logger.error(
                "ledger \(id) held: batch \(span.id) on the API only partly overlaps \(run.period.startTime)…\(run.period.endTime); nothing is generated for this ledger",
                metadata: meta(id, run.period.startTime, event: "batch_conflict"))
            actions = fresh.conflictOnAPI(span, now: now)
            runner.holds += 1
        case .clear:
            actions = fresh.awaitRecentActivity(until: now.addingTimeInterval(window.seconds), found: found, now: now)
        }
        if divergent > 0 {
            runner.listing = nil
            logger.warning(
                "ledger \(id): the API has batches for \(divergent) period\(divergent == 1 ? "" : "s") the journal did not record (generated in the app, or the journal was restored from an older copy); they are recorded, not generated again, and the ledger waits \(ISODurationFormat.format(window)) (recovery.reconcile_window) for generations that may still be running before listing again",
                metadata: meta(id, nil, event: "divergence"))
        }
        runner.run = fresh
        runners[id] = runner
        try execute(actions, for: id)
        if divergent > 0, var after = runners[id] {
            let until = now.addingTimeInterval(window.seconds)
            if after.run == nil, (after.heldUntil ?? .distantPast) < until { after.heldUntil = until }
            after.listing = nil
            runners[id] = after
            reschedule(id)
        }
    }

    /// The listing failed: nothing is fired for this ledger; it is held with backoff.
    func cannotVerify(_ id: String, run: PeriodRun, _ error: APIErrorSummary, now: Date) throws {
        guard var runner = runners[id] else { return }
        logger.warning(
            "ledger \(id): cannot list its batches before generating \(run.period.startTime) (\(error.message)); nothing is fired for this ledger until they can be listed",
            metadata: meta(id, run.period.startTime, event: "ledger_unverified", error: error.message))
        var fresh = PeriodRun(
            ledger: run.ledger, period: run.period, record: state.record(run.key).flatMap { $0.periodEnd == run.period.endTime ? $0 : nil },
            polling: schedule.polling, recovery: schedule.recovery, ledgerHolds: runner.holds)
        runner.pendingIntent = nil
        runner.listing = nil
        let actions = fresh.listingFailed(error, now: now)
        runner.holds += 1
        runner.run = fresh
        runners[id] = runner
        try execute(actions, for: id)
    }

    /// Records `completed` (found on the API) for every due, open period of the ledger other
    /// than `except` that the listing shows batches for. Returns how many.
    func recordFoundPeriods(_ id: String, listing: LedgerBatches, except: Period, now: Date) throws -> Int {
        guard let runner = runners[id], !listing.spans.isEmpty else { return 0 }
        let records = state.records(ledgerID: id)
        var period = runner.planner.nextOpenPeriod(records: records)
        var found = 0
        var steps = 0
        let wall = deps.clock.wallNow()
        while runner.ledger.dueInstant(of: period) <= wall, steps < 100_000 {
            defer {
                period = runner.ledger.calendar.following(period)
                steps += 1
            }
            if period.start == except.start { continue }
            let record = records[period.startTime]
            if let record, record.periodEnd != period.endTime || record.isTerminal || record.isInFlight { continue }
            guard case .found(let ids) = listing.verdict(for: period) else { continue }
            var run = PeriodRun(ledger: runner.ledger, period: period, record: record, polling: schedule.polling, recovery: schedule.recovery)
            for case .record(let entry) in run.foundOnAPI(batchIDs: ids, now: now) {
                try appendOrStop(entry)
            }
            found += 1
        }
        return found
    }

    /// Appends a journal line and folds it into the state; a failed append stops the daemon.
    func appendOrStop(_ entry: JournalEntry) throws {
        do {
            try journal.append(entry)
        } catch {
            logger.critical("\(error); stopping so that nothing happens unrecorded", metadata: meta(entry.ledgerID, entry.periodStart, event: error.isReplaced ? "journal_replaced" : nil))
            throw error
        }
        apply(entry)
        log(entry)
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
        if !shuttingDown, let next = wakeQueue.peek()?.at, next <= deps.clock.now() {
            poke()
            return
        }
        let waiters = settleWaiters
        settleWaiters = []
        for w in waiters { w.resume() }
    }
}
