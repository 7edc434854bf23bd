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
        case .preflight(let id, let result):
            outstanding -= 1
            if !shuttingDown { try finishPreflight(id, result, now: now) }
        case .batches(let id, let result):
            try finishCall(id, isPost: false) { run in
                switch result {
                case .success(let batches): run.batchesReturned(batches.map { ($0.id, $0.startTime, $0.endTime) }, now: now)
                case .failure(let error): run.batchesFailed(APIErrorSummary(error, isPost: false), now: now)
                }
            }
        }
    }

    /// Records `completed` for every due period of a ledger new to the journal that already
    /// has batches on the API, then lets the ledger fire the rest.
    func finishPreflight(_ id: String, _ result: Result<[Batch], any Error>, now: Date) throws {
        guard var runner = runners[id] else { return }
        runner.busy = false
        let batches: [Batch]
        switch result {
        case .success(let list):
            batches = list
        case .failure(let error):
            if case .http? = error as? APIError {
                // Refused (unknown ledger, auth): the POST will meet, journal and report the same refusal.
                runner.needsPreflight = false
            } else {
                runner.heldUntil = now.addingTimeInterval(schedule.recovery.unavailableLedgerBackoff.seconds)
                logger.warning("ledger \(id): cannot list its batches before the first generation (\(error)); trying again at \(UTCTimestamp.format(runner.heldUntil!))", metadata: meta(id, nil, event: "ledger_unavailable", error: "\(error)"))
            }
            runners[id] = runner
            reschedule(id)
            return
        }
        runner.needsPreflight = false
        let spans = batches.compactMap { b -> (start: Date, end: Date, id: String)? in
            guard let s = b.startTime.flatMap(UTCTimestamp.parse), let e = b.endTime.flatMap(UTCTimestamp.parse), s <= e else { return nil }
            return (s, e, b.id)
        }.sorted { $0.start < $1.start }
        var found = 0
        if !spans.isEmpty {
            var period = runner.cursor
            var steps = 0
            while runner.ledger.dueInstant(of: period) <= now, steps < 1_000_000 {
                // Batches that start inside the period (binary search on the sorted starts).
                var lo = 0, hi = spans.count
                while lo < hi {
                    let mid = (lo + hi) / 2
                    if spans[mid].start < period.start { lo = mid + 1 } else { hi = mid }
                }
                var ids: [String] = []
                var k = lo
                while k < spans.count, spans[k].start < period.end {
                    if spans[k].end < period.end { ids.append(spans[k].id) }
                    k += 1
                }
                if !ids.isEmpty, state.record(PeriodKey(ledgerID: id, periodStart: period.startTime)) == nil {
                    let entry = JournalEntry(
                        time: now, ledgerID: id, periodStart: period.startTime, periodEnd: period.endTime, event: .completed,
                        batchIDs: ids.sorted(),
                        detail: "the API already had batches for this period before this daemon generated it (the journal had no record of the ledger); not generated again")
                    do {
                        try journal.append(entry)
                    } catch {
                        logger.critical("\(error); stopping so that nothing happens unrecorded", metadata: meta(id, period.startTime))
                        throw error
                    }
                    apply(entry)
                    log(entry)
                    found += 1
                }
                period = runner.ledger.calendar.following(period)
                steps += 1
            }
        }
        if found > 0 {
            logger.warning("ledger \(id) is new to the journal but \(found) of its due periods already have batches on the API; they are recorded completed and not generated again", metadata: meta(id, nil, event: "reconciled"))
            let holds = runner.holds
            runner = LedgerRunner(ledger: runner.ledger, records: state.records(ledgerID: id))
            runner.needsPreflight = false
            runner.holds = holds
        }
        runners[id] = runner
        reschedule(id)
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
