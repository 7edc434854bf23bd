import Foundation
import Logging
import MangroveAPI
import SchedulerCore
import SchedulerMetrics
import ServiceLifecycle
import Systemd

/// The executor of `SchedulerState`: it owns the journal file and the API, and carries out
/// the state machine's actions in order (append and fsync first, then calls, timers, logs
/// and STATUS=), feeding every answer, timer, reload and stop back as an event. All
/// decisions are in the pure state machine; nothing here chooses what to fire.
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
        /// A fault the systemd harness switches on to prove the watchdog (never in production).
        public var testFault: TestFault?
        /// How long shutdown waits for POSTs already sent (so their task ids get journaled).
        public var shutdownGrace: Duration
        /// Where counters and gauges go (nil: no metrics).
        public var metrics: SchedulerMetrics?

        public init(
            api: any BatchAPI, clock: any SchedulerClock, notifier: any SystemdNotifying, logger: Logger,
            random: @escaping @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) },
            reloadSchedule: @escaping @Sendable () throws -> Schedule, testFault: TestFault? = nil,
            shutdownGrace: Duration = .seconds(5), metrics: SchedulerMetrics? = nil
        ) {
            self.metrics = metrics
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

    enum Input: Sendable {
        /// A timer returned; its deadline.
        case wake(Date)
        case returned(String, CallResult)
        case reload
        case shutdown
        case shutdownDeadline
        /// `poke()`: look again now (counted for `settle()`).
        case poke
    }

    /// What the loop has done, for tests, the demo and benchmarks.
    public struct Snapshot: Sendable {
        public var ledgers: Int
        public var activeRuns: Int
        public var nextWakeup: Date?
        public var state: JournalState
        /// Calls out and pokes not handled yet.
        public var pendingInputs: Int
        /// When a ledger's work next needs the loop (not counting standing refreshes).
        public var nextWorkWakeup: Date?
    }

    var state: SchedulerState
    let journal: JournalFile
    let deps: Dependencies
    var rng: ClosureRNG
    var continuation: AsyncStream<Input>.Continuation?
    /// The earliest timer armed (a later `.wake(at:)` needs no new one).
    var armedTimer: Date?
    var lastWatchdog: Date?
    var readyAt: Date?
    var pendingRequests = false
    // The seam tests and the demo drive virtual time through (`poke`/`settle`).
    var outstanding = 0
    var settleWaiters: [CheckedContinuation<Void, Never>] = []
    var runningWaiters: [CheckedContinuation<Void, Never>] = []

    public init(schedule: Schedule, journal: JournalFile, dependencies: Dependencies) {
        self.state = SchedulerState(schedule: schedule)
        self.state.reportsLedgerStatus = dependencies.metrics != nil
        self.journal = journal
        self.deps = dependencies
        self.rng = ClosureRNG(next: dependencies.random)
    }

    var instant: SchedulerInstant { SchedulerInstant(timeline: deps.clock.now(), wall: deps.clock.wallNow()) }

    // MARK: - Running

    /// Replays the journal, reports READY, then carries out the state machine until
    /// graceful shutdown or cancellation. Never waits on the API before READY.
    public func run() async throws {
        let (stream, continuation) = AsyncStream.makeStream(of: Input.self)
        defer {
            self.continuation = nil
            journal.close()
            let waiters = settleWaiters + runningWaiters
            settleWaiters = []
            runningWaiters = []
            for w in waiters { w.resume() }
        }
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                self.continuation = continuation
                try self.startUp(&group)
                for w in self.runningWaiters { w.resume() }
                self.runningWaiters = []
                for await input in stream {
                    try self.handle(input, &group)
                    if self.state.isStopped { break }
                    self.settleIfIdle()
                    if self.deps.testFault == .hangLoop, let readyAt = self.readyAt, self.deps.clock.now().timeIntervalSince(readyAt) > 3 {
                        self.deps.logger.warning("test fault hang-loop: the scheduling loop stops here", metadata: ["mangrove_event": "test_fault"])
                        while !Task.isCancelled { try? await Task.sleep(for: .milliseconds(200)) }
                    }
                }
                group.cancelAll()
            }
        } onGracefulShutdown: {
            continuation.yield(.shutdown)
        }
        deps.logger.info("stopped; journal is consistent", metadata: ["mangrove_event": "stopped"])
    }

    /// Where metrics are served, as the schedule said at start-up.
    public var metricsSettings: MetricsSettings { state.schedule.metrics }

    /// Asks the loop to reload the schedule (SIGHUP).
    public func requestReload() {
        continuation?.yield(.reload)
    }

    func startUp(_ group: inout ThrowingDiscardingTaskGroup<any Error>) throws {
        if let size = try? FileManager.default.attributesOfItem(atPath: journal.path)[.size] as? Int, size > 20_000_000 {
            try? deps.notifier.extendTimeout(.seconds(120))
        }
        var replayed = JournalState()
        let replayStart = deps.clock.now()
        let problems = try journal.replay(into: &replayed)
        deps.metrics?.journalReplayed(lines: replayed.lineCount, seconds: deps.clock.now().timeIntervalSince(replayStart))
        deps.metrics?.scheduleLoaded(ledgerIDs: state.schedule.ledgers.map(\.id))
        let requests = takeRequests()
        let controls = readControls() ?? LedgerControlState()
        let actions = state.handle(.started(journal: replayed, problems: problems, requests: requests, controls: controls), at: instant, using: &rng)
        // READY=1 comes first and carries the status line itself.
        try carryOut(actions.filter { if case .status = $0 { false } else { true } }, &group)
        finishRequests()
        // The replay's and the schedule's scratch memory goes back to the system before the
        // daemon settles down (glibc keeps freed pages otherwise).
        ProcessMemory.returnFreePages()
        readyAt = deps.clock.now()
        try? deps.notifier.ready(status: state.statusLine())
        pingWatchdog(&group)
    }

    func handle(_ input: Input, _ group: inout ThrowingDiscardingTaskGroup<any Error>) throws {
        let event: SchedulerEvent
        switch input {
        case .wake(let deadline):
            // The armed timer returned (early, too: the clock saw a wall-clock step): the next
            // wake-up needs a new one. A superseded timer's return changes nothing.
            if armedTimer == deadline { armedTimer = nil }
            event = .wake
        case .poke:
            outstanding -= 1
            event = .wake
        case .returned(let id, let result):
            outstanding -= 1
            event = .returned(ledgerID: id, result)
        case .reload:
            try? deps.notifier.reloading()
            deps.logger.info("reloading the schedule", metadata: ["mangrove_event": "reload"])
            let reload: ScheduleReload
            do {
                reload = .loaded(try deps.reloadSchedule())
            } catch let error as ScheduleError {
                reload = .rejected(problems: error.problems.map { $0.formatted(file: error.file) })
            } catch {
                reload = .rejected(problems: ["\(error)"])
            }
            if case .loaded(let schedule) = reload { deps.metrics?.scheduleLoaded(ledgerIDs: schedule.ledgers.map(\.id)) }
            event = .reloaded(reload, requests: takeRequests(), controls: readControls())
        case .shutdown:
            try? deps.notifier.stopping()
            event = .stop
            if state.postsInFlight > 0 {
                let deadline = deps.clock.now().addingTimeInterval(deps.shutdownGrace.seconds)
                let (clock, continuation) = (deps.clock, continuation)
                group.addTask {
                    while clock.now() < deadline, !Task.isCancelled { try? await clock.sleep(until: deadline) }
                    continuation?.yield(.shutdownDeadline)
                }
            }
        case .shutdownDeadline:
            group.cancelAll()
            event = .stopDeadline
        }
        try carryOut(state.handle(event, at: instant, using: &rng), &group)
        if case .reload = input {
            finishRequests()
            try? deps.notifier.ready(status: state.statusLine())
        }
        pingWatchdog(&group)
    }

    // MARK: - Carrying out actions

    func carryOut(_ actions: [SchedulerAction], _ group: inout ThrowingDiscardingTaskGroup<any Error>) throws {
        for action in actions {
            switch action {
            case .append(let entry):
                do {
                    try journal.append(entry)
                } catch {
                    var m = SchedulerLogging.metadata(for: SchedulerLog(.critical, "", ledgerID: entry.ledgerID, periodStart: entry.periodStart))
                    if error.isReplaced { m["mangrove_event"] = "journal_replaced" }
                    deps.logger.critical("\(error); stopping so that nothing happens unrecorded", metadata: m)
                    throw error
                }
                if let metrics = deps.metrics {
                    metrics.journalLineAppended()
                    if let outcome = SchedulerMetrics.Outcome(entry: entry) { metrics.generationFinished(ledgerID: entry.ledgerID, outcome: outcome) }
                }
            case .ledgerStatus(let status):
                deps.metrics?.setLedgerGauges(ledgerID: status.ledgerID, SchedulerMetrics.LedgerGauges(status))
            case .call(let id, let call):
                spawn(call, for: id, &group)
            case .log(let line):
                SchedulerLogging.emit(line, to: deps.logger)
            case .status(let line):
                try? deps.notifier.status(line)
            case .wake(let at):
                armTimer(at, &group)
            }
        }
    }

    func spawn(_ call: SchedulerCall, for id: String, _ group: inout ThrowingDiscardingTaskGroup<any Error>) {
        guard let continuation else { return }
        outstanding += 1
        let api = deps.api
        group.addTask {
            let result = await SchedulerCalls.perform(call, ledgerID: id, api: api)
            continuation.yield(.returned(id, result))
        }
    }

    /// One timer task sleeps until the earliest wake-up (or the next watchdog ping).
    func armTimer(_ at: Date?, _ group: inout ThrowingDiscardingTaskGroup<any Error>) {
        guard let continuation else { return }
        var deadline = at
        if let interval = deps.notifier.watchdogInterval {
            let ping = deps.clock.now().addingTimeInterval(interval.seconds)
            deadline = min(deadline ?? ping, ping)
        }
        guard let deadline else { return }
        if let armed = armedTimer, armed <= deadline, armed > deps.clock.now() { return }
        armedTimer = deadline
        let clock = deps.clock
        group.addTask {
            try? await clock.sleep(until: deadline)
            continuation.yield(.wake(deadline))
        }
    }

    /// WATCHDOG=1 from the loop itself, at most every half interval. Then makes sure a timer
    /// is armed for the next wake-up (a timer may return early, e.g. the system clock's
    /// longest sleep, and the state machine only reports wake-ups that changed).
    func pingWatchdog(_ group: inout ThrowingDiscardingTaskGroup<any Error>) {
        if let interval = deps.notifier.watchdogInterval {
            let now = deps.clock.now()
            if lastWatchdog.map({ now.timeIntervalSince($0) >= (interval / 2).seconds }) ?? true {
                try? deps.notifier.watchdog()
                lastWatchdog = now
            }
        }
        armTimer(state.nextWake(), &group)
    }
}
