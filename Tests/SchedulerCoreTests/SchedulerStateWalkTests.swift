import Foundation
import Testing
@testable import SchedulerCore

/// A fake Mangrove API for the pure walks: it counts how often each period was really
/// generated (a POST it processed), creates batches when a task completes, and lists them.
struct FakeServer {
    struct Task {
        var ledgerID: String
        var start: String
        var end: String
        var completesAt: Date
        var fails: Bool
        var done = false
    }

    var tasks: [Int: Task] = [:]
    var batches: [String: [BatchSpanText]] = [:]
    /// Processed POSTs per "ledger start" whose task did not fail (a failed task generated
    /// nothing, so the period may be fired again).
    var generations: [String: Int] = [:]
    var nextTask = 1
    var nextBatch = 1

    mutating func process(ledgerID: String, start: String, end: String, now: Date, duration: TimeInterval, fails: Bool) -> Int {
        if !fails { generations["\(ledgerID) \(start)", default: 0] += 1 }
        let id = nextTask
        nextTask += 1
        tasks[id] = Task(ledgerID: ledgerID, start: start, end: end, completesAt: now.addingTimeInterval(duration), fails: fails)
        return id
    }

    mutating func poll(_ id: Int, now: Date) -> TaskReading? {
        guard var task = tasks[id] else { return nil }
        guard now >= task.completesAt else { return TaskReading(state: "running", progress: 50, errorMessage: nil) }
        if !task.done, !task.fails {
            batches[task.ledgerID, default: []].append(BatchSpanText(id: "bat_\(nextBatch)", start: task.start, end: task.end))
            nextBatch += 1
        }
        task.done = true
        tasks[id] = task
        return task.fails ? TaskReading(state: "failed", progress: nil, errorMessage: "boom") : TaskReading(state: "complete", progress: 100, errorMessage: nil)
    }

    /// Tasks finish on the server whether or not anyone polls.
    mutating func settle(now: Date) {
        for id in tasks.keys.sorted() where tasks[id]!.completesAt <= now && !tasks[id]!.done { _ = poll(id, now: now) }
    }
}

/// Drives `SchedulerState` with a fake API, a fake journal and a seeded generator.
struct Walk {
    var rng: SplitMix64
    var schedule: Schedule
    var state: SchedulerState
    var journalLines: [JournalEntry] = []
    var server = FakeServer()
    var outstanding: [(ledgerID: String, call: SchedulerCall)] = []
    var timeline: Date
    var wallOffset: TimeInterval = 0
    var steps = 0
    var faults = true
    /// Operator pauses in force: no `intent` (no POST) for a paused ledger.
    var controls = LedgerControlState()
    /// Set on the first broken invariant; the walk stops there.
    var broken: String?
    /// What happened, for the message of a broken invariant.
    var trace: [String] = []

    init(seed: UInt64, schedule: Schedule, start: Date) {
        rng = SplitMix64(seed: seed)
        self.schedule = schedule
        state = SchedulerState(schedule: schedule)
        timeline = start
    }

    var instant: SchedulerInstant { SchedulerInstant(timeline: timeline, wall: timeline.addingTimeInterval(wallOffset)) }

    mutating func feed(_ event: SchedulerEvent) {
        let actions = state.handle(event, at: instant, using: &rng)
        let what: String
        switch event {
        case .started: what = "started (restart from the journal)"
        case .returned(let id, let result): what = "returned \(id) \(String(describing: result).prefix(120))"
        default: what = "\(event)".prefix(60).description
        }
        trace.append("\(UTCTimestamp.format(timeline)) \(what)")
        if trace.count > 400 { trace.removeFirst(200) }
        for action in actions {
            switch action {
            case .append(let entry):
                if entry.event == .intent, controls.isPaused(entry.ledgerID) {
                    broken = "intent for \(entry.ledgerID) \(entry.periodStart) while the ledger is paused"
                }
                journalLines.append(entry)
                trace.append("  append \(entry.ledgerID) \(entry.periodStart) \(entry.event.rawValue) \(entry.detail ?? "")")
            case .call(let id, let call):
                outstanding.append((id, call))
                trace.append("  call \(id) \(call)")
            case .log, .status, .wake, .ledgerStatus: break
            }
        }
        checkInvariants()
    }

    mutating func start() {
        var replayed = JournalState()
        for line in journalLines { replayed.apply(line) }
        state = SchedulerState(schedule: schedule)
        outstanding = []
        feed(.started(journal: replayed, problems: [], requests: .none, controls: controls))
    }

    mutating func checkInvariants() {
        guard broken == nil else { return }
        for (period, count) in server.generations where count > 1 {
            broken = "\(period) was generated \(count) times"
        }
        var perLedger: [String: Int] = [:]
        for call in outstanding { perLedger[call.ledgerID, default: 0] += 1 }
        for (ledger, count) in perLedger where count > 1 {
            broken = "\(count) calls at once for \(ledger)"
        }
        if state.activeRuns > schedule.limits.maxInFlight {
            broken = "\(state.activeRuns) runs with max_in_flight \(schedule.limits.maxInFlight)"
        }
        // STATUS= counts holds among the ledgers `reschedule` noted: none may be missing.
        for (id, runner) in state.runners where runner.heldUntil != nil && !state.holdCandidates.contains(id) {
            broken = "\(id) is held but STATUS= would not count it"
        }
    }

    /// Answers one outstanding call, with a fault now and then.
    mutating func answer(_ index: Int) {
        let (id, call) = outstanding.remove(at: index)
        let fault = faults && Int.random(in: 0..<5, using: &rng) == 0
        let now = timeline
        server.settle(now: now)
        let result: CallResult
        switch call {
        case .post(let start, let end):
            switch fault ? Int.random(in: 0..<4, using: &rng) : 9 {
            case 0: result = .post(.failure(APIErrorSummary(kind: .notProcessed, status: 503, message: "busy", retryAfter: .seconds(30))))
            case 1:
                _ = server.process(ledgerID: id, start: start, end: end, now: now, duration: 40, fails: false)
                result = .post(.failure(APIErrorSummary(kind: .outcomeUnknown, message: "reset after sending")))
            case 2: result = .post(.failure(APIErrorSummary(kind: .outcomeUnknown, message: "timeout, not processed")))
            case 3: result = .post(.failure(APIErrorSummary(kind: .refused, status: 422, message: "no model")))
            default:
                let fails = faults && Int.random(in: 0..<8, using: &rng) == 0
                let task = server.process(ledgerID: id, start: start, end: end, now: now, duration: Double(Int.random(in: 1...90, using: &rng)), fails: fails)
                result = .post(.success(AcceptedTask(taskID: task, state: "pending")))
            }
        case .poll(let taskID):
            if fault { result = .poll(.failure(APIErrorSummary(kind: .unreachable, message: "reset"))) }
            else if let reading = server.poll(taskID, now: now) { result = .poll(.success(reading)) }
            else { result = .poll(.failure(APIErrorSummary(kind: .refused, status: 404, message: "record not found"))) }
        case .reconcile:
            result = fault ? .reconcile(.failure(APIErrorSummary(kind: .unreachable, message: "reset"))) : .reconcile(.success(server.batches[id] ?? []))
        case .listing(_, let takenAt):
            result = fault ? .listing(takenAt: takenAt, .failure(APIErrorSummary(kind: .refused, status: 500, message: "oops")))
                : .listing(takenAt: takenAt, .success(server.batches[id] ?? []))
        case .preview:
            result = .preview(.success([PreviewCount(ledgerID: id, count: 1)]))
        }
        feed(.returned(ledgerID: id, result))
    }

    /// One random step: answer a call, let time pass to the next wake-up, crash and restart,
    /// step the wall clock, reload, or ask for a retry.
    mutating func step() {
        steps += 1
        switch Int.random(in: 0..<100, using: &rng) {
        case 0..<55 where !outstanding.isEmpty:
            answer(Int.random(in: 0..<outstanding.count, using: &rng))
        case 55..<60:
            // Crash: calls in flight are lost; a POST on the wire may or may not have been processed.
            for (id, call) in outstanding {
                if case .post(let start, let end) = call, Bool.random(using: &rng) {
                    _ = server.process(ledgerID: id, start: start, end: end, now: timeline, duration: 20, fails: false)
                }
            }
            start()
        case 60..<63:
            wallOffset += Double([-3600, -120, 120, 3600][Int.random(in: 0..<4, using: &rng)])
            feed(.wake)
        case 63..<65:
            let id = schedule.ledgers[Int.random(in: 0..<schedule.ledgers.count, using: &rng)].id
            let candidates = state.journal.records(ledgerID: id).all.filter { [.failed, .ambiguous, .skipped].contains($0.record.lastEvent) }
            if let pick = candidates.map(\.start).sorted().first {
                feed(.reloaded(.loaded(schedule), requests: RequestBatch(retries: [RetryRequest(ledgerID: id, periodStart: pick)])))
            } else {
                feed(.reloaded(.loaded(schedule), requests: .none))
            }
        case 65..<67:
            let id = schedule.ledgers[Int.random(in: 0..<schedule.ledgers.count, using: &rng)].id
            setPaused(id, !controls.isPaused(id))
        default:
            advance()
        }
    }

    /// Pauses or resumes a ledger, as `mangrove-scheduler pause`/`resume` plus SIGHUP do.
    mutating func setPaused(_ id: String, _ paused: Bool) {
        controls.apply(LedgerControlEntry(time: timeline, ledgerID: id, action: paused ? .paused : .resumed, by: "walk", note: "walk"))
        trace.append("\(paused ? "pause" : "resume") \(id)")
        feed(.reloaded(.loaded(schedule), requests: .none, controls: controls))
    }

    /// Lets time pass to the next wake-up (or a little, while calls are out).
    mutating func advance() {
        var next = state.nextWake()
        if !outstanding.isEmpty { next = min(next ?? timeline.addingTimeInterval(5), timeline.addingTimeInterval(5)) }
        guard let next else { return }
        timeline = max(timeline, next)
        feed(.wake)
    }

    /// Without faults, answers and advances until every period due now (`due`) has ended.
    mutating func drain(limit: Int, due: [PeriodKey]) -> Bool {
        faults = false
        for _ in 0..<limit {
            if outstanding.isEmpty, due.allSatisfy({ state.journal.record($0)?.isTerminal == true }) { return true }
            if !outstanding.isEmpty {
                answer(0)
                continue
            }
            guard let next = state.nextWake() else { return false }
            timeline = max(timeline, next)
            feed(.wake)
        }
        return false
    }
}

@Suite("SchedulerState: randomized walks")
struct SchedulerStateWalkTests {
    static let start = instant("2026-11-23T12:00:00Z")

    static func schedule(maxInFlight: Int = 2) -> Schedule {
        let ledgers = [
            LedgerSchedule(id: "lgr_walk_month", cadence: .monthly, timeZone: zone("Europe/Berlin"), firstPeriodStart: instant("2026-05-01T00:00:00Z")),
            LedgerSchedule(id: "lgr_walk_day", cadence: .daily, firstPeriodStart: instant("2026-11-14T00:00:00Z")),
            LedgerSchedule(id: "lgr_walk_week", cadence: .weekly, timeZone: zone("America/New_York"), firstPeriodStart: instant("2026-10-05T04:00:00Z")),
        ]
        var recovery = RecoveryPolicy()
        recovery.reconcileAfter = .seconds(30)
        recovery.reconcileWindow = .seconds(600)
        recovery.failedTaskBackoff = .seconds(60)
        recovery.unavailableLedgerBackoff = .seconds(60)
        return Schedule(
            api: .init(baseURL: "http://127.0.0.1:1/api/v1"), journalPath: "journal.jsonl", ledgers: ledgers,
            limits: .init(maxInFlight: maxInFlight, requestsPerSecond: 50), recovery: recovery)
    }

    /// Every due period of every ledger at the end of the walk.
    static func duePeriods(_ schedule: Schedule, wall: Date) -> [PeriodKey] {
        schedule.ledgers.flatMap { l in
            LedgerPlanner(ledger: l, records: [:]).duePeriods(records: [:], now: wall).map { PeriodKey(ledgerID: l.id, periodStart: $0.startTime) }
        }
    }

    @Test("20 seeds × 1,000 random steps (calls, faults, crashes, reloads, retries, pauses, clock steps): never two generations of a period, at most one call per ledger, never more than max_in_flight, a timer whenever work waits, and every due period ends terminal", arguments: Array(UInt64(1)...20))
    func walk(seed: UInt64) {
        var walk = Walk(seed: seed, schedule: Self.schedule(maxInFlight: Int(seed % 3) + 1), start: Self.start)
        walk.start()
        for _ in 0..<1_000 {
            walk.step()
            if let broken = walk.broken {
                Issue.record("seed \(seed), step \(walk.steps): \(broken)\n\(walk.trace.suffix(60).joined(separator: "\n"))")
                return
            }
            // A timer is armed whenever nothing is out and work remains.
            if walk.outstanding.isEmpty, walk.state.nextWorkWake() == nil {
                let open = Self.duePeriods(walk.schedule, wall: walk.instant.wall).filter {
                    walk.state.journal.record($0)?.isTerminal != true && !walk.controls.isPaused($0.ledgerID)
                }
                #expect(open.isEmpty, "seed \(seed): nothing scheduled while \(open.count) due periods are open")
            }
        }
        for id in walk.schedule.ledgers.map(\.id) where walk.controls.isPaused(id) { walk.setPaused(id, false) }
        let due = Self.duePeriods(walk.schedule, wall: walk.instant.wall)
        let settled = walk.drain(limit: 20_000, due: due)
        if let broken = walk.broken {
            Issue.record("seed \(seed), draining: \(broken)\n\(walk.trace.suffix(60).joined(separator: "\n"))")
            return
        }
        #expect(settled, "seed \(seed): the walk did not settle")
        let open = due.filter { walk.state.journal.record($0)?.isTerminal != true }
        #expect(open.isEmpty, "seed \(seed): due periods never ended: \(open.prefix(5))")
        for (period, count) in walk.server.generations {
            #expect(count == 1, "seed \(seed): \(period) generated \(count) times")
        }
    }
}
