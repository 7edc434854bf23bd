import Foundation

/// Every decision of the scheduling loop, as one pure state machine: which ledger fires
/// which period next, slots and `max_in_flight`, holds, the look-before-you-fire check,
/// reloads, operator retries, in-flight periods of removed ledgers, conflicts. It owns the
/// journal's folded state and each ledger's `PeriodRun`.
///
/// `handle(_:at:using:)` takes an event and returns actions; it never does I/O, reads no
/// clock and draws randomness only from the generator it is given. The daemon's actor is
/// an executor: it appends what `.append` says before anything else, makes the calls,
/// arms the timer, and feeds every answer back as an event (the shape of AsyncHTTPClient's
/// `HTTPConnectionPool.StateMachine`).
public struct SchedulerState: Sendable {
    public internal(set) var schedule: Schedule
    /// The journal as folded so far, including every line this state asked to append.
    public internal(set) var journal = JournalState()
    var runners: [String: LedgerRunner] = [:]
    /// Ledgers in schedule order (then removed ledgers followed to their end).
    public internal(set) var order: [String] = []
    var wakeQueue = WakeQueue<String>()
    /// Ledgers to look at in the current pass, without duplicates.
    var ready: [String] = []
    var readySet: Set<String> = []
    /// Ledgers with a due period waiting for a free slot, oldest first.
    var slotQueue: [String] = []
    var slotQueueHead = 0
    var slotQueued: Set<String> = []
    /// `fillFreeSlots` is handing a slot to the head of `slotQueue`.
    var servingSlotQueue = false
    var limiter: RateLimiter
    /// Runs counting against `max_in_flight`.
    public internal(set) var activeRuns = 0
    /// Runs whose task stopped answering usefully: in flight, but their slot released.
    public internal(set) var detachedRuns = 0
    /// Periods whose last event is `failed` or `ambiguous`.
    public internal(set) var failures = 0
    /// Generation POSTs sent and not answered yet.
    public internal(set) var postsInFlight = 0
    public internal(set) var isStopping = false
    /// Wall clock minus timeline as last seen.
    var wallOffset: TimeInterval = 0
    var lastStatus = ""
    var lastWake: Date?? = .none
    var now = SchedulerInstant(Date(timeIntervalSince1970: 0))
    var actions: [SchedulerAction] = []
    /// Operator pauses in force (the ledger controls file).
    public internal(set) var controls = LedgerControlState()
    /// Each scheduled ledger's standing as last surveyed (`SchedulerState+Survey`), kept when `reportsLedgerStatus`.
    public internal(set) var ledgerStatus: [String: LedgerStatus] = [:]
    /// Overdue periods per ledger (only ledgers with some).
    var ledgerOverdue: [String: Int] = [:]
    /// Periods overdue, summed over `ledgerOverdue`.
    public internal(set) var overdueTotal = 0
    var statusDirty: Set<String> = []
    /// When each ledger's standing next changes by itself (on the timeline).
    var statusWatch = WakeQueue<String>()
    var overdueLogs: [String: OverdueLog] = [:]
    /// The newest completed period's end per ledger (nil: not looked up yet; "": none).
    var lastCompleted: [String: String] = [:]

    /// Emit `.ledgerStatus` actions (someone exports per-ledger gauges); without it a
    /// catch-up of thousands of ledgers queues no action per ledger for nobody.
    public var reportsLedgerStatus = true
    /// Ledgers whose runner has a hold (`heldUntil`), kept by `reschedule`: `STATUS=` counts
    /// the held ones among them instead of reading every runner after every event.
    var holdCandidates: Set<String> = []

    public init(schedule: Schedule) {
        self.schedule = schedule
        self.limiter = RateLimiter(rate: schedule.limits.requestsPerSecond)
    }

    /// In flight on the server: active and detached runs.
    public var inFlight: Int { activeRuns + detachedRuns }

    /// Stopping, and no POST is waiting for its answer: the executor may end the loop.
    public var isStopped: Bool { isStopping && postsInFlight == 0 }

    /// When the next ledger needs the loop for its work (not counting the wake-ups that
    /// only refresh a ledger's standing, such as a period becoming overdue).
    public mutating func nextWorkWake() -> Date? { isStopping ? nil : wakeQueue.peek()?.at }

    /// When the next `.wake` is due on the timeline.
    public mutating func nextWake() -> Date? {
        if isStopping { return nil }
        switch (wakeQueue.peek()?.at, statusWatch.peek()?.at) {
        case (let a?, let b?): return min(a, b)
        case (let a, let b): return a ?? b
        }
    }

    /// Handles one event and returns what to do, in order.
    public mutating func handle(
        _ event: SchedulerEvent, at instant: SchedulerInstant, using rng: inout some RandomNumberGenerator
    ) -> [SchedulerAction] {
        now = instant
        actions = []
        switch event {
        case .started(let replayed, let problems, let requests, let controls):
            start(replayed, problems: problems, requests: requests, using: &rng)
            applyControls(controls)
        case .wake:
            break
        case .returned(let id, let result):
            returned(id, result, using: &rng)
        case .reloaded(let reload, let requests, let controls):
            if !isStopping {
                self.reload(reload, requests: requests)
                if let controls { applyControls(controls) }
            }
        case .stop:
            isStopping = true
            log(.info, "stopping: no new generations; \(postsInFlight) POST\(postsInFlight == 1 ? "" : "s") awaiting the answer", event: "stopping")
        case .stopDeadline:
            if postsInFlight > 0 {
                log(.warning, "stopping: \(postsInFlight) POST\(postsInFlight == 1 ? "" : "s") still unanswered; their periods are reconciled after the restart", event: "stopping")
            }
            postsInFlight = 0
        }
        pump(using: &rng)
        return actions
    }

    // MARK: - The pass after every event

    /// Notices a wall-clock step, starts whatever is due, updates STATUS= and the wake-up.
    mutating func pump(using rng: inout some RandomNumberGenerator) {
        noticeWallClockStep()
        if !isStopping {
            for id in wakeQueue.popDue(now: now.timeline) { markReady(id) }
            // Bounded: each pass starts, finishes or parks runs, so it settles in a few passes.
            var passes = 0
            repeat {
                passes += 1
                var index = 0
                while index < ready.count {
                    let id = ready[index]
                    index += 1
                    readySet.remove(id)
                    act(id, using: &rng)
                }
                ready.removeAll(keepingCapacity: true)
                fillFreeSlots(using: &rng)
            } while !ready.isEmpty && passes < 10_000
            refreshStatuses()
        }
        // While stopping, STOPPING=1 says it all.
        let line = statusLine()
        if !isStopping, line != lastStatus {
            lastStatus = line
            actions.append(.status(line))
        }
        let wake = nextWake()
        if lastWake != .some(wake) {
            lastWake = .some(wake)
            actions.append(.wake(at: wake))
        }
    }

    /// Gives free slots to the ledgers that waited longest for one.
    mutating func fillFreeSlots(using rng: inout some RandomNumberGenerator) {
        while activeRuns < schedule.limits.maxInFlight, slotQueueHead < slotQueue.count {
            let id = slotQueue[slotQueueHead]
            slotQueueHead += 1
            slotQueued.remove(id)
            servingSlotQueue = true
            act(id, using: &rng)
            servingSlotQueue = false
        }
        if slotQueueHead > 1024, slotQueueHead * 2 > slotQueue.count {
            slotQueue.removeFirst(slotQueueHead)
            slotQueueHead = 0
        }
    }

    mutating func markReady(_ id: String) {
        if readySet.insert(id).inserted { ready.append(id) }
    }

    mutating func waitForSlot(_ id: String) {
        if slotQueued.insert(id).inserted { slotQueue.append(id) }
    }

    /// A wall-clock step moves every ledger's due time on the timeline: log it and re-plan.
    mutating func noticeWallClockStep() {
        let offset = now.wall.timeIntervalSince(now.timeline)
        let step = offset - wallOffset
        wallOffset = offset
        // Slewing (NTP drift) moves the offset a little at a time: followed silently, so a
        // wake-up converted with the old offset is at most a drift early, never a busy loop.
        guard abs(step) >= 2 else { return }
        log(.warning,
            "the wall clock was stepped \(step > 0 ? "forward" : "back") by \(ISODurationFormat.format(.seconds(abs(step)))); periods fall due by the new wall time (some may be due at once), while polls, holds and timeouts keep their monotonic deadlines",
            event: "clock_step")
        for id in order {
            reschedule(id)
            statusDirty.insert(id)
        }
    }

    mutating func reschedule(_ id: String) {
        guard let runner = runners[id] else {
            wakeQueue.schedule(id, at: nil)
            holdCandidates.remove(id)
            return
        }
        if runner.heldUntil != nil { holdCandidates.insert(id) } else { holdCandidates.remove(id) }
        // A paused ledger starts nothing new; a run already in flight is followed to its end.
        let paused = runner.run == nil && controls.isPaused(id)
        wakeQueue.schedule(id, at: paused ? nil : runner.wakeAt(wallOffset: wallOffset))
    }

    /// `STATUS=`: ledgers, in flight, held, failed, the next wake-up.
    public mutating func statusLine() -> String {
        if isStopping { return "stopping" }
        let next = wakeQueue.peek()
        var held = 0
        for id in holdCandidates {
            guard let r = runners[id], r.run == nil, !r.removed, let until = r.heldUntil, until > now.timeline,
                  r.ledger.dueInstant(of: r.cursor) <= now.wall
            else { continue }
            held += 1
        }
        let paused = controls.paused.keys.filter { runners[$0]?.removed == false }.count
        return StatusLine.format(
            ledgers: order.count, inFlight: inFlight, failures: failures, held: held, paused: paused, overdue: overdueTotal,
            next: next.map { (ledgerID: $0.key, at: $0.at.addingTimeInterval(wallOffset)) })
    }

    // MARK: - Journal and log

    /// Asks for `entry` to be appended and folds it into the state at once.
    mutating func append(_ entry: JournalEntry) {
        actions.append(.append(entry))
        let isFailure = { (e: JournalEvent?) in e == .failed || e == .ambiguous }
        let before = journal.record(entry.key)?.lastEvent
        if isFailure(before) { failures -= 1 }
        if before?.isTerminal == true, !entry.event.isTerminal, let start = UTCTimestamp.parse(entry.periodStart) {
            // Taken up again (a retry): overdue anew, and logged again when it is.
            overdueLogs[entry.ledgerID]?.reopened(PeriodCalendar.epoch(start))
        }
        journal.apply(entry)
        if isFailure(entry.event) { failures += 1 }
        noteCompleted(entry)
        statusDirty.insert(entry.ledgerID)
        log(entry)
    }

    mutating func log(
        _ level: SchedulerLog.Level, _ message: String, event: String? = nil, ledgerID: String? = nil, periodStart: String? = nil,
        taskID: Int? = nil, error: String? = nil
    ) {
        actions.append(.log(SchedulerLog(level, message, event: event, ledgerID: ledgerID, periodStart: periodStart, taskID: taskID, error: error)))
    }
}
