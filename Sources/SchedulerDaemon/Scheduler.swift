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
        /// A listing of the ledger's batches before a POST, requested at the given instant.
        case listing(String, Date, Result<[Batch], any Error>)
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
    }

    var schedule: Schedule
    let journal: JournalFile
    let deps: Dependencies
    var logger: Logger
    var state = JournalState()
    var runners: [String: LedgerRunner] = [:]
    var order: [String] = []
    var wakeQueue = WakeQueue<String>()
    var ready: [String] = []
    var limiter: RateLimiter
    var rng: ClosureRNG
    /// Runs counting against `max_in_flight`.
    var activeRuns = 0
    /// Runs whose task stopped answering usefully: still in flight, but slot released.
    var detachedRuns = 0
    var failures = 0
    var continuation: AsyncStream<Event>.Continuation?
    var timers: [Int: Date] = [:]
    var nextTimerID = 0
    var outstanding = 0
    var settleWaiters: [CheckedContinuation<Void, Never>] = []
    var runningWaiters: [CheckedContinuation<Void, Never>] = []
    var shuttingDown = false
    var postsInFlight = 0
    var lastStatus = ""
    /// On the timeline: when WATCHDOG=1 was last sent, and when READY=1 was.
    var lastWatchdog: Date?
    var readyAt: Date?
    /// Wall clock minus timeline as last seen (see `SchedulerClock`).
    var wallOffset: TimeInterval = 0

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
            // Nothing more will happen: release anyone waiting for the loop (tests, the demo).
            let waiters = settleWaiters + runningWaiters
            settleWaiters = []
            runningWaiters = []
            for w in waiters { w.resume() }
        }
        try await withGracefulShutdownHandler {
            try await withThrowingDiscardingTaskGroup { group in
                try self.pump(&group)
                self.announceStarted()
                for await event in stream {
                    try self.handle(event, &group)
                    if self.shuttingDown, self.postsInFlight == 0 { break }
                    try self.pump(&group)
                    if case .tick(let timer) = event, timer == -1 { self.outstanding -= 1 }
                    self.settleIfIdle()
                    if self.deps.testFault == .hangLoop, let readyAt = self.readyAt, self.deps.clock.now().timeIntervalSince(readyAt) > 3 {
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

    func announceStarted() {
        let waiters = runningWaiters
        runningWaiters = []
        for w in waiters { w.resume() }
    }

    /// Test hook: returns once every event already caused (network calls, pokes) has been handled.
    public func settle() async {
        if outstanding == 0 { return }
        await withCheckedContinuation { settleWaiters.append($0) }
    }

    public var snapshot: Snapshot {
        Snapshot(ledgers: order.count, activeRuns: activeRuns + detachedRuns, nextWakeup: wakeQueue.peek()?.at, state: state)
    }

    // MARK: - Start-up

    func startUp() throws {
        let start = deps.clock.now()
        wallOffset = deps.clock.wallNow().timeIntervalSince(start)
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
        try install(schedule.ledgers)
        try applyRetryRequests()
        let elapsed = Duration.seconds(deps.clock.now().timeIntervalSince(start))
        let inFlight = state.inFlight.count
        logger.info(
            "journal replayed: \(state.lineCount) lines in \(elapsed.formatted(.units(allowed: [.seconds, .milliseconds], width: .narrow))); \(inFlight) periods in flight; \(order.count) ledgers scheduled",
            metadata: ["mangrove_event": "started"])
        readyAt = deps.clock.now()
        try? deps.notifier.ready(status: statusLine())
    }

    func install(_ ledgers: [LedgerSchedule]) throws {
        for ledger in ledgers {
            runners[ledger.id] = LedgerRunner(ledger: ledger, records: state.records(ledgerID: ledger.id))
            order.append(ledger.id)
            reschedule(ledger.id)
        }
        // Periods in flight on the server are resumed even when their ledger is no longer scheduled.
        for ledgerID in Set(state.inFlight.map(\.ledgerID)) where runners[ledgerID] == nil {
            try resumeOrphan(ledgerID)
        }
    }

    /// Resumes the oldest in-flight period of a ledger that is not (or no longer) in the
    /// schedule, so a generation that may exist on the server is still polled or reconciled
    /// to a terminal event; nothing new is started for that ledger.
    func resumeOrphan(_ ledgerID: String) throws {
        guard let key = state.inFlight.first(where: { $0.ledgerID == ledgerID }), let record = state.record(key),
              let start = UTCTimestamp.parse(key.periodStart), let lastSecond = UTCTimestamp.parse(record.periodEnd)
        else { return }
        logger.warning(
            "ledger \(ledgerID) is not in the schedule but \(key.periodStart) is in flight; following it to its end",
            metadata: meta(ledgerID, key.periodStart, task: record.taskID))
        let period = Period(start: start, end: lastSecond.addingTimeInterval(1))
        let ledger = LedgerSchedule(id: ledgerID, cadence: .daily, firstPeriodStart: start)
        var runner = LedgerRunner(ledger: ledger, records: [:])
        runner.removed = true
        var run = PeriodRun(ledger: ledger, period: period, record: record, polling: schedule.polling, recovery: schedule.recovery)
        let actions = run.start(now: deps.clock.now())
        runner.run = run
        runners[ledgerID] = runner
        if !order.contains(ledgerID) { order.append(ledgerID) }
        activeRuns += 1
        try execute(actions, for: ledgerID)
    }

}
