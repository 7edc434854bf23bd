import Foundation
import Logging
import MangroveAPI
import SchedulerCore
import ServiceLifecycle
import Systemd

/// Starting due work, spawning network calls and arming the next wake-up.
extension Scheduler {
    /// Starts whatever is due, then arms a timer for the next wake-up.
    func pump(_ group: inout ThrowingDiscardingTaskGroup<any Error>) throws {
        let now = deps.clock.now()
        noticeWallClockStep(now: now)
        pingWatchdog()
        if !shuttingDown {
            ready.append(contentsOf: wakeQueue.popDue(now: now))
            var blocked: [String] = []
            var seen = Set<String>()
            while !ready.isEmpty {
                let id = ready.removeFirst()
                guard seen.insert(id).inserted else { continue }
                if try !act(id, now: now, &group) { blocked.append(id) }
            }
            ready = blocked
        }
        updateStatus()
        armTimer(&group, now: now)
    }

    /// Does the due work of one ledger. Returns false when it must wait for a free slot.
    func act(_ id: String, now: Date, _ group: inout ThrowingDiscardingTaskGroup<any Error>) throws -> Bool {
        guard var runner = runners[id], !runner.busy else { return true }
        if let run = runner.run {
            guard let pending = runner.pending, let at = runner.pendingAt else { return true }
            if at > now {
                reschedule(id)
                return true
            }
            if let later = limiter.acquire(now: now) {
                runner.pendingAt = later
                runners[id] = runner
                reschedule(id)
                return true
            }
            if pending == .post, !LookBeforeFire.isFresh(
                runner.listing, lastPostAt: state.record(run.key)?.lastIntentAt, now: now,
                maxAge: schedule.recovery.verifyMaxAge)
            {
                // Look before you fire: no POST without a fresh listing of the ledger's batches.
                runner.listing = nil
                runner.busy = true
                runners[id] = runner
                spawnListing(for: id, since: LookBeforeFire.createdSince(earliestStart: run.period.start), at: now, &group)
                return true
            }
            if pending == .post, let listing = runner.listing, listing.verdict(for: run.period) != .clear {
                try settleWithoutPost(id, run: run, verdict: listing.verdict(for: run.period), found: 0, now: now)
                return true
            }
            if pending == .post, var intent = runner.pendingIntent {
                intent.time = now
                try appendOrStop(intent)
                runner.pendingIntent = nil
            }
            runner.pending = nil
            runner.pendingAt = nil
            runner.busy = true
            runners[id] = runner
            spawn(pending, for: id, run: run, &group)
            return true
        }
        guard !runner.removed else { return true }
        let due = runner.ledger.dueInstant(of: runner.cursor)
        if due > deps.clock.wallNow() || (runner.heldUntil.map { $0 > now } ?? false) {
            reschedule(id)
            return true
        }
        let period = runner.cursor
        // A record counts only when it is this very period (same start *and* end): after a
        // cadence or time-zone change, an overlapping period already in the journal blocks
        // the ledger with an error instead of being generated a second time.
        let existing = state.record(PeriodKey(ledgerID: id, periodStart: period.startTime))
        let record = existing?.periodEnd == period.endTime ? existing : nil
        if !(record?.isInFlight ?? false), let conflict = runner.planner.conflict(for: period) {
            let backoff = Backoff(initial: schedule.recovery.unavailableLedgerBackoff, cap: schedule.recovery.unavailableLedgerBackoff * 16, jitter: .none)
            let until = now.addingTimeInterval(backoff.ceiling(forAttempt: runner.holds).seconds)
            runner.holds += 1
            runner.heldUntil = until
            runners[id] = runner
            reschedule(id)
            let reason = "period \(period.startTime)…\(period.endTime) overlaps period \(conflict.periodStart) already in the journal (\(conflict.event.rawValue)) under another cadence or time zone; generating it could double-count. Restore the ledger's cadence and time_zone, or move first_period_start past the generated periods"
            logger.error("ledger \(id) held: \(reason)", metadata: meta(id, period.startTime, event: "ledger_unavailable", error: reason))
            return true
        }
        guard activeRuns < schedule.limits.maxInFlight else { return false }
        activeRuns += 1
        var run = PeriodRun(
            ledger: runner.ledger, period: period, record: record,
            polling: schedule.polling, recovery: schedule.recovery, ledgerHolds: runner.holds)
        let actions = run.start(now: now)
        runner.run = run
        runners[id] = runner
        try execute(actions, for: id)
        return true
    }

    func spawn(_ pending: LedgerRunner.Pending, for id: String, run: PeriodRun, _ group: inout ThrowingDiscardingTaskGroup<any Error>) {
        guard let continuation else { return }
        let api = deps.api
        let request = BatchGenerationRequest(startTime: run.period.startTime, endTime: run.period.endTime)
        outstanding += 1
        switch pending {
        case .preview:
            group.addTask {
                let r: Result<[PreviewEntry], any Error>
                do { r = .success(try await api.generatePreview(ledgerID: id, request: request)) } catch { r = .failure(error) }
                continuation.yield(.preview(id, r))
            }
        case .post:
            postsInFlight += 1
            group.addTask {
                let r: Result<AsyncTask, any Error>
                do { r = .success(try await api.createBatchGeneration(ledgerID: id, request: request)) } catch { r = .failure(error) }
                continuation.yield(.post(id, r))
            }
        case .poll(let taskID):
            group.addTask {
                let r: Result<AsyncTask, any Error>
                do { r = .success(try await api.asyncTask(id: taskID)) } catch { r = .failure(error) }
                continuation.yield(.poll(id, r))
            }
        case .checkBatches:
            let since = LookBeforeFire.createdSince(earliestStart: run.period.start)
            group.addTask {
                let r: Result<[Batch], any Error>
                do { r = .success(try await api.batches(ledgerID: id, createdSince: since)) } catch { r = .failure(error) }
                continuation.yield(.batches(id, r))
            }
        }
    }

    /// Lists the ledger's batches newest first, back to `since`; `at` is when it was asked.
    func spawnListing(for id: String, since: Date, at: Date, _ group: inout ThrowingDiscardingTaskGroup<any Error>) {
        guard let continuation else { return }
        let api = deps.api
        outstanding += 1
        group.addTask {
            let r: Result<[Batch], any Error>
            do { r = .success(try await api.batches(ledgerID: id, createdSince: since)) } catch { r = .failure(error) }
            continuation.yield(.listing(id, at, r))
        }
    }

    func armTimer(_ group: inout ThrowingDiscardingTaskGroup<any Error>, now: Date) {
        guard let continuation else { return }
        var deadline = shuttingDown ? nil : wakeQueue.peek()?.at
        if let interval = deps.notifier.watchdogInterval {
            let ping = now.addingTimeInterval(interval.seconds)
            deadline = min(deadline ?? ping, ping)
        }
        guard let deadline else { return }
        if let earliest = timers.values.min(), earliest <= deadline { return }
        nextTimerID += 1
        let timerID = nextTimerID
        timers[timerID] = deadline
        let clock = deps.clock
        group.addTask {
            try? await clock.sleep(until: deadline)
            continuation.yield(.tick(timer: timerID))
        }
    }

    func reschedule(_ id: String) {
        wakeQueue.schedule(id, at: runners[id]?.wakeAt(wallOffset: wallOffset))
    }

    /// A wall-clock step moves every ledger's due time on the timeline: log it (periods
    /// may fall due at once) and re-plan. Relative waits are on the timeline and unmoved.
    func noticeWallClockStep(now: Date) {
        let offset = deps.clock.wallNow().timeIntervalSince(now)
        let step = offset - wallOffset
        guard abs(step) >= 2 else { return }
        wallOffset = offset
        logger.warning(
            "the wall clock was stepped \(step > 0 ? "forward" : "back") by \(ISODurationFormat.format(.seconds(abs(step)))); periods fall due by the new wall time (some may be due at once), while polls, holds and timeouts keep their monotonic deadlines",
            metadata: ["mangrove_event": "clock_step"])
        for id in order { reschedule(id) }
    }
}
