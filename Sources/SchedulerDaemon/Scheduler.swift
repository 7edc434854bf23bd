import Foundation
import Logging
import MangroveAPI
import SchedulerCore
import ServiceLifecycle
import Systemd

/// The daemon's scheduling loop: one actor owns the journal, the replayed state and every
/// ledger's runner, and is the only place where `PeriodRun` actions are carried out.
/// Network calls run as child tasks and come back as events; the loop sleeps until the
/// next wake-up (no fixed tick) and re-plans after every event, reload and clock change.
public actor Scheduler {
    public struct Dependencies: Sendable {
        public var api: any BatchAPI
        public var clock: any SchedulerClock
        public var notifier: any SystemdNotifying
        public var logger: Logger
        /// Random bits for jitter.
        public var random: @Sendable () -> UInt64
        /// Re-reads the schedule on SIGHUP.
        public var reloadSchedule: @Sendable () throws -> Schedule
        public var testFault: TestFault?
        /// How long shutdown waits for POSTs already sent (so their task ids get journaled).
        public var shutdownGrace: Duration

        public init(
            api: any BatchAPI, clock: any SchedulerClock, notifier: any SystemdNotifying, logger: Logger,
            random: @escaping @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) },
            reloadSchedule: @escaping @Sendable () throws -> Schedule, testFault: TestFault? = nil,
            shutdownGrace: Duration = .seconds(5)
        ) {
            self.api = api
            self.clock = clock
            self.notifier = notifier
            self.logger = logger
            self.random = random
            self.reloadSchedule = reloadSchedule
            self.testFault = testFault
            self.shutdownGrace = shutdownGrace
        }
    }

    enum Event: Sendable {
        case tick(timer: Int?)
        case preview(String, Result<[PreviewEntry], any Error>)
        case post(String, Result<AsyncTask, any Error>)
        case poll(String, Result<AsyncTask, any Error>)
        case batches(String, Result<[Batch], any Error>)
        case reload
        case shutdown
        case shutdownDeadline
    }

    /// What the loop has done, for `plan`-like status and for tests.
    public struct Snapshot: Sendable {
        public var ledgers: Int
        public var activeRuns: Int
        public var nextWakeup: Date?
        public var state: JournalState
        public var started: Bool
    }

    private var schedule: Schedule
    private let journal: JournalFile
    private let deps: Dependencies
    private var logger: Logger
    private var state = JournalState()
    private var runners: [String: LedgerRunner] = [:]
    private var order: [String] = []
    private var wakeQueue = WakeQueue<String>()
    private var ready: [String] = []
    private var limiter: RateLimiter
    private var rng: ClosureRNG
    private var activeRuns = 0
    private var failures = 0
    private var continuation: AsyncStream<Event>.Continuation?
    private var timers: [Int: Date] = [:]
    private var nextTimerID = 0
    private var outstanding = 0
    private var settleWaiters: [CheckedContinuation<Void, Never>] = []
    private var runningWaiters: [CheckedContinuation<Void, Never>] = []
    private var shuttingDown = false
    private var postsInFlight = 0
    private var lastStatus = ""
    private var lastWatchdog = ContinuousClock.now - .seconds(3600)
    private var readyAt: ContinuousClock.Instant?
    private var started = false

    public init(schedule: Schedule, journal: JournalFile, dependencies: Dependencies) {
        self.schedule = schedule
        self.journal = journal
        self.deps = dependencies
        self.logger = dependencies.logger
        self.limiter = RateLimiter(rate: schedule.limits.requestsPerSecond)
        self.rng = ClosureRNG(next: dependencies.random)
    }

    // MARK: - Running

    /// Replays the journal, reports READY, then schedules until graceful shutdown or
    /// cancellation. Never waits on the API before READY.
    public func run() async throws {
        try startUp()
        let (stream, continuation) = AsyncStream.makeStream(of: Event.self)
        self.continuation = continuation
        defer {
            self.continuation = nil
            journal.close()
        }
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try self.pump(&group)
                self.announceStarted()
                for await event in stream {
                    try self.handle(event, &group)
                    if self.shuttingDown, self.postsInFlight == 0 { break }
                    if case .shutdownDeadline = event { break }
                    try self.pump(&group)
                    if case .tick(let timer) = event, timer == -1 { self.outstanding -= 1 }
                    self.settleIfIdle()
                    if self.deps.testFault == .hangLoop, let readyAt = self.readyAt, readyAt.duration(to: .now) > .seconds(3) {
                        self.logger.warning("test fault hang-loop: the scheduling loop stops here", metadata: ["mangrove_event": "test_fault"])
                        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(200)) }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            continuation.yield(.shutdown)
        }
        logger.info("stopped; journal is consistent", metadata: ["mangrove_event": "stopped"])
    }

    /// Asks the loop to reload the schedule (SIGHUP).
    public func requestReload() {
        continuation?.yield(.reload)
    }

    /// Test hook: re-evaluate now (after moving a manual clock) and count it as work to settle.
    public func poke() {
        guard let continuation else { return }
        outstanding += 1
        continuation.yield(.tick(timer: -1))
    }

    /// Returns once the loop is running (journal replayed, READY sent).
    public func waitUntilRunning() async {
        if continuation != nil { return }
        await withCheckedContinuation { runningWaiters.append($0) }
    }

    private func announceStarted() {
        let waiters = runningWaiters
        runningWaiters = []
        for w in waiters { w.resume() }
    }

    /// Test hook: returns once every event already caused (network calls, pokes) has been handled.
    public func settle() async {
        if outstanding == 0 { return }
        await withCheckedContinuation { settleWaiters.append($0) }
    }

    /// One line per ledger: what it waits for (for debugging stuck schedules).
    public var runnerDump: String {
        order.map { id in
            let r = runners[id]!
            return "\(id) busy=\(r.busy) run=\(r.run?.period.startTime ?? "-") pending=\(String(describing: r.pending)) at=\(r.pendingAt.map(UTCTimestamp.format) ?? "-") held=\(r.heldUntil.map(UTCTimestamp.format) ?? "-") queued=\(wakeQueue.scheduled(id).map(UTCTimestamp.format) ?? "-")"
        }.joined(separator: "\n") + "\nready=\(ready) active=\(activeRuns) outstanding=\(outstanding) timers=\(timers.count)"
    }

    public var snapshot: Snapshot {
        Snapshot(ledgers: order.count, activeRuns: activeRuns, nextWakeup: wakeQueue.peekValue(), state: state, started: started)
    }

    // MARK: - Start-up

    private func startUp() throws {
        let start = ContinuousClock.now
        if let size = try? FileManager.default.attributesOfItem(atPath: journal.path)[.size] as? Int, size > 20_000_000 {
            try? deps.notifier.extendTimeout(.seconds(120))
        }
        let problems = try journal.replay(into: &state)
        for p in problems {
            if p.isTornTail {
                logger.warning("journal \(journal.path): \(p); the file was repaired", metadata: ["mangrove_event": "journal_repaired"])
            } else {
                logger.error("journal \(journal.path): \(p)", metadata: ["mangrove_event": "journal_corrupt_line"])
            }
        }
        for (_, periods) in state.ledgers {
            failures += periods.values.filter { $0.lastEvent == .failed || $0.lastEvent == .ambiguous }.count
        }
        install(schedule.ledgers)
        applyRetryRequests()
        let elapsed = start.duration(to: .now)
        let inFlight = state.inFlight.count
        logger.info(
            "journal replayed: \(state.lineCount) lines in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))); \(inFlight) periods in flight; \(order.count) ledgers scheduled",
            metadata: ["mangrove_event": "started"])
        started = true
        readyAt = .now
        try? deps.notifier.ready(status: statusLine())
    }

    private func install(_ ledgers: [LedgerSchedule]) {
        for ledger in ledgers {
            runners[ledger.id] = LedgerRunner(ledger: ledger, records: state.records(ledgerID: ledger.id))
            order.append(ledger.id)
            reschedule(ledger.id)
        }
        // Periods in flight on the server are resumed even when their ledger is no longer scheduled.
        for key in state.inFlight where runners[key.ledgerID] == nil {
            logger.warning("ledger \(key.ledgerID) is not in the schedule but has a generation in flight; it is polled to its end", metadata: meta(key.ledgerID, key.periodStart))
        }
    }

    // MARK: - Events

    private func handle(_ event: Event, _ group: inout ThrowingDiscardingTaskGroup<any Error>) throws {
        let now = deps.clock.now()
        switch event {
        case .tick(let timer):
            if let timer, timer >= 0 { timers[timer] = nil }
        case .reload:
            reload()
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
            logger.warning("stopping with \(postsInFlight) POSTs unanswered; they are reconciled after restart", metadata: ["mangrove_event": "stopping"])
        case .preview(let id, let result):
            try finishCall(id) { run in
                switch result {
                case .success(let entries): run.previewReturned(entries.map { ($0.id, $0.count) }, now: now)
                case .failure(let error): run.previewFailed(APIErrorSummary(error, isPost: false), now: now)
                }
            }
        case .post(let id, let result):
            postsInFlight -= 1
            try finishCall(id) { run in
                switch result {
                case .success(let task): run.postAccepted(taskID: task.id, state: task.state.rawValue, now: now)
                case .failure(let error): run.postFailed(APIErrorSummary(error, isPost: true), now: now)
                }
            }
        case .poll(let id, let result):
            try finishCall(id) { run in
                switch result {
                case .success(let task):
                    return run.pollReturned(state: task.state.rawValue, progress: task.progress, errorMessage: task.errorMessage, now: now, using: &rng)
                case .failure(let error):
                    logger.warning("polling task \(run.taskID ?? 0) failed: \(error); polling again later", metadata: meta(id, run.period.startTime, task: run.taskID))
                    return run.pollFailed(APIErrorSummary(error, isPost: false), now: now, using: &rng)
                }
            }
        case .batches(let id, let result):
            try finishCall(id) { run in
                switch result {
                case .success(let batches): run.batchesReturned(batches.map { ($0.id, $0.startTime, $0.endTime) }, now: now)
                case .failure(let error): run.batchesFailed(APIErrorSummary(error, isPost: false), now: now)
                }
            }
        }
    }

    private func finishCall(_ id: String, _ body: (inout PeriodRun) throws -> [PeriodRun.Action]) throws {
        outstanding -= 1
        guard var runner = runners[id], var run = runner.run else { return }
        runner.busy = false
        if shuttingDown {
            // Results of POSTs still count (they carry task ids); everything else is dropped.
            runner.run = run
            runners[id] = runner
        }
        let actions = try body(&run)
        runner.run = run
        runners[id] = runner
        try execute(actions, for: id)
    }

    /// Resumes `settle()` callers once nothing is in flight and nothing is due at the
    /// current time (if something is due, the loop pokes itself first), so a test or the
    /// demo can move a virtual clock without racing the loop.
    private func settleIfIdle() {
        guard outstanding == 0, !settleWaiters.isEmpty else { return }
        if !shuttingDown, let next = wakeQueue.peekValue(), next <= deps.clock.now() {
            poke()
            return
        }
        let waiters = settleWaiters
        settleWaiters = []
        for w in waiters { w.resume() }
    }

    // MARK: - Dispatch

    /// Starts whatever is due, then arms a timer for the next wake-up.
    private func pump(_ group: inout ThrowingDiscardingTaskGroup<any Error>) throws {
        let now = deps.clock.now()
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
    private func act(_ id: String, now: Date, _ group: inout ThrowingDiscardingTaskGroup<any Error>) throws -> Bool {
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
            runner.pending = nil
            runner.pendingAt = nil
            runner.busy = true
            runners[id] = runner
            spawn(pending, for: id, run: run, &group)
            return true
        }
        guard !runner.removed else { return true }
        let due = runner.ledger.dueInstant(of: runner.cursor)
        if due > now || (runner.heldUntil.map { $0 > now } ?? false) {
            reschedule(id)
            return true
        }
        let period = runner.cursor
        // A record counts only when it is this very period (same start *and* end): after a
        // cadence or time-zone change, an overlapping period already in the journal blocks
        // the ledger with an error instead of being generated a second time.
        let existing = state.record(PeriodKey(ledgerID: id, periodStart: period.startTime))
        let record = existing?.periodEnd == period.endTime ? existing : nil
        if record == nil, let conflict = runner.planner.conflict(for: period) {
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

    private func spawn(_ pending: LedgerRunner.Pending, for id: String, run: PeriodRun, _ group: inout ThrowingDiscardingTaskGroup<any Error>) {
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
            group.addTask {
                let r: Result<[Batch], any Error>
                do { r = .success(try await api.batches(ledgerID: id)) } catch { r = .failure(error) }
                continuation.yield(.batches(id, r))
            }
        }
    }

    private func armTimer(_ group: inout ThrowingDiscardingTaskGroup<any Error>, now: Date) {
        guard let continuation else { return }
        var deadline = shuttingDown ? nil : wakeQueue.peekValue()
        if !ready.isEmpty, !shuttingDown { deadline = nil } // waiting for a free slot: an event will come
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

    private func reschedule(_ id: String) {
        wakeQueue.schedule(id, at: runners[id]?.wakeAt)
    }

    // MARK: - Actions

    private func execute(_ actions: [PeriodRun.Action], for id: String) throws {
        let now = deps.clock.now()
        for action in actions {
            guard var runner = runners[id] else { return }
            switch action {
            case .record(let entry):
                do {
                    try journal.append(entry)
                } catch {
                    logger.critical("\(error); stopping so that nothing happens unrecorded", metadata: meta(id, entry.periodStart))
                    throw error
                }
                apply(entry)
                log(entry)
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
                guard let waiting = pauseRun(runner, id: id, until: at) else { continue }
                runner = waiting
            case .holdLedger(let until, let reason):
                logger.error(
                    "ledger \(id) unavailable: \(reason); its periods stay pending and it is re-checked at \(UTCTimestamp.format(until)); other ledgers carry on",
                    metadata: meta(id, runner.run?.period.startTime, event: "ledger_unavailable", error: reason))
                // Nothing of this period is on the server (the POST was refused or never sent).
                runner.holds += 1
                guard let waiting = pauseRun(runner, id: id, until: until) else { continue }
                runner = waiting
            case .finished(let event):
                if let run = runner.run {
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
                activeRuns -= 1
                if runner.removed {
                    drop(id)
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
    private func pauseRun(_ runner: LedgerRunner, id: String, until: Date) -> LedgerRunner? {
        var runner = runner
        if let run = runner.run { runner.cursor = run.period }
        runner.run = nil
        runner.pending = nil
        runner.pendingAt = nil
        activeRuns -= 1
        if runner.removed {
            drop(id)
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

    private func drop(_ id: String) {
        runners[id] = nil
        order.removeAll { $0 == id }
        wakeQueue.schedule(id, at: nil)
    }

    /// Folds a journaled entry into the state, keeping the failure count of STATUS= current.
    private func apply(_ entry: JournalEntry) {
        let isFailure = { (e: JournalEvent?) in e == .failed || e == .ambiguous }
        if isFailure(state.record(entry.key)?.lastEvent) { failures -= 1 }
        state.apply(entry)
        if isFailure(entry.event) { failures += 1 }
    }

    // MARK: - Reload and retries

    private func reload() {
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
            try? deps.notifier.ready(status: statusLine())
            return
        } catch {
            logger.error("reload rejected: \(error); the schedule in force is unchanged", metadata: ["mangrove_event": "reload_rejected"])
            try? deps.notifier.ready(status: statusLine())
            return
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
                runners[id] = nil
                wakeQueue.schedule(id, at: nil)
            } else {
                runner.removed = true
                runners[id] = runner
            }
        }
        order.removeAll { runners[$0] == nil }
        for ledger in new.ledgers {
            if var runner = runners[ledger.id] {
                runner.removed = false
                if runner.ledger != ledger {
                    changed += 1
                    if runner.run == nil {
                        runner = LedgerRunner(ledger: ledger, records: state.records(ledgerID: ledger.id))
                    } else {
                        runner.replacement = ledger
                    }
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
        applyRetryRequests()
        logger.info("schedule reloaded: \(added) added, \(removed) removed, \(changed) changed, \(order.count) ledgers", metadata: ["mangrove_event": "reload"])
        try? deps.notifier.ready(status: statusLine())
    }

    private func applyRetryRequests() {
        let (requests, problems) = RetryRequestFile.take(journalPath: journal.path)
        for p in problems { logger.warning("\(p)", metadata: ["mangrove_event": "retry_rejected"]) }
        for request in requests {
            let key = PeriodKey(ledgerID: request.ledgerID, periodStart: request.periodStart)
            guard var runner = runners[request.ledgerID] else {
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
                logger.error("retry of \(key) not recorded: \(error)", metadata: meta(request.ledgerID, request.periodStart, event: "retry_rejected"))
                continue
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
    }

    // MARK: - systemd

    private func pingWatchdog() {
        guard let interval = deps.notifier.watchdogInterval else { return }
        // `interval` is already half of WATCHDOG_USEC and the loop wakes at least that often.
        if lastWatchdog.duration(to: .now) >= interval / 2 {
            try? deps.notifier.watchdog()
            lastWatchdog = .now
        }
    }

    private func statusLine() -> String {
        var next: (String, Date)?
        if let top = wakeQueue.peekEntry() { next = (top.key, top.at) }
        return StatusLine.format(ledgers: order.count, inFlight: activeRuns, failures: failures, next: next.map { (ledgerID: $0.0, at: $0.1) })
    }

    private func updateStatus() {
        let line = shuttingDown ? "stopping" : statusLine()
        guard line != lastStatus else { return }
        lastStatus = line
        try? deps.notifier.status(line)
    }

    // MARK: - Logging

    private func meta(_ ledgerID: String, _ periodStart: String?, task: Int? = nil, event: String? = nil, error: String? = nil) -> Logger.Metadata {
        var m: Logger.Metadata = ["ledger_id": "\(ledgerID)"]
        if let periodStart { m["period_start"] = "\(periodStart)" }
        if let task { m["task_id"] = "\(task)" }
        if let event { m["mangrove_event"] = "\(event)" }
        if let error { m["error"] = "\(error)" }
        return m
    }

    private func log(_ e: JournalEntry) {
        var m = meta(e.ledgerID, e.periodStart, task: e.taskID, event: e.event.rawValue, error: e.error)
        m["period_end"] = "\(e.periodEnd)"
        if let attempt = e.attempt { m["attempt"] = "\(attempt)" }
        let what = "\(e.ledgerID) \(e.periodStart)…\(e.periodEnd)"
        switch e.event {
        case .intent: logger.debug("firing \(what) (attempt \(e.attempt ?? 1))", metadata: m)
        case .fired: logger.info("fired \(what): task \(e.taskID ?? 0)", metadata: m)
        case .progress: logger.debug("task \(e.taskID ?? 0) \(e.state ?? "?") \(e.progress.map { "\($0)%" } ?? "")", metadata: m)
        case .completed: logger.info("completed \(what)\(e.taskID.map { ": task \($0)" } ?? "")\(e.detail.map { " (\($0))" } ?? "")", metadata: m)
        case .reconciling: logger.warning("POST for \(what) has an unknown outcome (\(e.error ?? "")); reconciling against the ledger's batches", metadata: m)
        case .notFired: logger.warning("not fired \(what): \(e.error ?? "")", metadata: m)
        case .taskFailed: logger.warning("task \(e.taskID ?? 0) for \(what) failed: \(e.error ?? ""); \(e.detail ?? "")", metadata: m)
        case .previewEmpty: logger.notice("preview for \(what) predicts no batches; re-checking later", metadata: m)
        case .retryRequested: logger.notice("retry requested for \(what)", metadata: m)
        case .skipped: logger.notice("skipped \(what): \(e.error ?? "")", metadata: m)
        case .failed: logger.error("failed \(what): \(e.error ?? "")", metadata: m)
        case .ambiguous: logger.error("ambiguous \(what): \(e.error ?? "")", metadata: m)
        }
    }
}

extension WakeQueue {
    mutating func peekValue() -> Date? { peek()?.at }
    mutating func peekEntry() -> (at: Date, key: Key)? { peek() }
}

/// A `RandomNumberGenerator` over an injected source of random bits.
struct ClosureRNG: RandomNumberGenerator {
    let source: @Sendable () -> UInt64
    init(next: @escaping @Sendable () -> UInt64) { self.source = next }
    mutating func next() -> UInt64 { source() }
}
