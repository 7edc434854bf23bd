import Foundation
import Testing
import SchedulerCore

/// Pauses, overdue periods and the per-ledger standing, decided in the pure state machine.
@Suite("SchedulerState: pause, overdue, standing")
struct OperateStateTests {
    static let start = instant("2026-11-23T12:00:00Z")

    static func schedule(overdueAfter: Duration = .seconds(86_400)) -> Schedule {
        let ledgers = [
            LedgerSchedule(id: "lgr_a", cadence: .daily, firstPeriodStart: instant("2026-11-20T00:00:00Z")),
            LedgerSchedule(id: "lgr_b", cadence: .daily, firstPeriodStart: instant("2026-11-20T00:00:00Z")),
        ]
        return Schedule(
            api: .init(baseURL: "http://127.0.0.1:1/api/v1"), journalPath: "journal.jsonl", ledgers: ledgers,
            limits: .init(maxInFlight: 2, requestsPerSecond: 50), alerts: AlertSettings(overdueAfter: overdueAfter))
    }

    static func paused(_ id: String, at: Date) -> LedgerControlState {
        var c = LedgerControlState()
        c.apply(LedgerControlEntry(time: at, ledgerID: id, action: .paused, by: "alice", note: "refit"))
        return c
    }

    /// Answers calls and moves to work wake-ups until nothing is out and nothing is due
    /// before `horizon` (one hour after the start), at most `limit` steps.
    static func run(_ walk: inout Walk, limit: Int = 2_000, horizon: Date = start.addingTimeInterval(3_600), until done: (Walk) -> Bool = { _ in false }) {
        walk.faults = false
        for _ in 0..<limit where !done(walk) {
            if !walk.outstanding.isEmpty {
                walk.answer(0)
            } else if let next = walk.state.nextWorkWake(), next <= horizon {
                walk.timeline = max(walk.timeline, next)
                walk.feed(.wake)
            } else {
                return
            }
        }
    }

    @Test("pausing a ledger with a task in flight: the task is polled to its end, nothing new is fired; resume fires the rest oldest first")
    func pauseWithTaskInFlight() {
        var walk = Walk(seed: 7, schedule: Self.schedule(), start: Self.start)
        walk.start()
        // Run until lgr_a has a task on the server.
        Self.run(&walk) { w in w.state.journal.records(ledgerID: "lgr_a").values.contains { $0.lastEvent == .fired || $0.lastEvent == .progress } }
        let inFlight = walk.state.journal.records(ledgerID: "lgr_a").all.filter { $0.record.isInFlight }.map(\.start)
        #expect(inFlight.count == 1)
        walk.controls = Self.paused("lgr_a", at: walk.timeline)
        walk.feed(.reloaded(.loaded(walk.schedule), requests: .none, controls: walk.controls))
        #expect(walk.state.statusLine().contains("1 paused"))
        Self.run(&walk)
        #expect(walk.broken == nil, "\(walk.broken ?? "")")
        let a = walk.state.journal.records(ledgerID: "lgr_a")
        #expect(inFlight.allSatisfy { a[$0]?.lastEvent == .completed }, "the task in flight was followed to its end")
        #expect(a.values.filter { $0.lastEvent == .completed }.count == 1, "nothing else fired while paused")
        #expect(walk.state.journal.records(ledgerID: "lgr_b").values.filter { $0.lastEvent == .completed }.count == 3)
        #expect(walk.state.ledgerStatus["lgr_a"]?.dueNotDone == 2)
        #expect(walk.state.ledgerStatus["lgr_a"]?.paused?.note == "refit")

        walk.setPaused("lgr_a", false)
        Self.run(&walk)
        let after = walk.state.journal.records(ledgerID: "lgr_a")
        #expect(after.values.filter { $0.lastEvent == .completed }.count == 3)
        #expect(walk.state.ledgerStatus["lgr_a"]?.dueNotDone == 0)
        #expect(walk.state.ledgerStatus["lgr_a"]?.paused == nil)
        let intents = walk.journalLines.filter { $0.ledgerID == "lgr_a" && $0.event == .intent }.map(\.periodStart)
        #expect(intents == intents.sorted(), "oldest first")
    }

    @Test("a ledger paused before start fires nothing and has no work timer; its periods still become overdue, logged once")
    func pausedFromStartBecomesOverdue() {
        var walk = Walk(seed: 3, schedule: Self.schedule(overdueAfter: .seconds(3_600)), start: Self.start)
        walk.controls = Self.paused("lgr_a", at: Self.start)
        var logs: [SchedulerLog] = []
        var replayed = JournalState()
        for line in walk.journalLines { replayed.apply(line) }
        for case .log(let l) in walk.state.handle(.started(journal: replayed, problems: [], requests: .none, controls: walk.controls), at: walk.instant, using: &walk.rng) {
            logs.append(l)
        }
        #expect(logs.contains { $0.event == "paused" && $0.ledgerID == "lgr_a" && $0.message.contains("refit") })
        // Three daily periods closed (20, 21, 22 Nov), all more than an hour ago: overdue, one line.
        let overdue = logs.filter { $0.event == "overdue" && $0.ledgerID == "lgr_a" }
        #expect(overdue.count == 1)
        #expect(overdue.first?.message.contains("3 periods of ledger lgr_a are overdue") == true)
        #expect(overdue.first?.message.contains("paused") == true)
        #expect(walk.state.ledgerStatus["lgr_a"]?.overdue == 3)
        #expect(walk.state.ledgerStatus["lgr_a"]?.dueNotDone == 3)
        #expect(!walk.outstanding.contains { $0.ledgerID == "lgr_a" })
        // The next thing for lgr_a is the moment 23 Nov falls due (24 Nov 00:00), not work.
        #expect(walk.state.nextWake().map { $0 <= instant("2026-11-24T00:00:00Z") } == true)
        // Time passes: 23 Nov closes and an hour later becomes overdue: logged once, alone.
        var more: [SchedulerLog] = []
        walk.timeline = instant("2026-11-24T01:00:01Z")
        for case .log(let l) in walk.state.handle(.wake, at: walk.instant, using: &walk.rng) { more.append(l) }
        let fresh = more.filter { $0.event == "overdue" && $0.ledgerID == "lgr_a" }
        #expect(fresh.count == 1)
        #expect(fresh.first?.periodStart == "2026-11-23T00:00:00.000Z")
        #expect(walk.state.ledgerStatus["lgr_a"]?.overdue == 4)
        #expect(walk.state.statusLine().contains("1 paused"))
    }

    @Test("overdue counts drop as periods complete; STATUS= shows the total")
    func overdueClearsOnCompletion() {
        var walk = Walk(seed: 5, schedule: Self.schedule(overdueAfter: .seconds(3_600)), start: Self.start)
        walk.start()
        #expect(walk.state.overdueTotal == 6)
        #expect(walk.state.statusLine().contains("6 overdue"))
        Self.run(&walk)
        #expect(walk.state.overdueTotal == 0)
        #expect(!walk.state.statusLine().contains("overdue"))
        #expect(walk.state.ledgerStatus["lgr_b"]?.lastCompletedEnd == instant("2026-11-23T00:00:00Z"))
    }

    @Test("a catch-up of many ledgers: an overdue line for each of the first 1,000, one line for the rest; STATUS= counts all")
    func overdueManyLedgers() {
        let ledgers = (0..<1_005).map { LedgerSchedule(id: "lgr_many\($0)", cadence: .daily, firstPeriodStart: instant("2026-11-20T00:00:00Z")) }
        let schedule = Schedule(
            api: .init(baseURL: "http://127.0.0.1:1/api/v1"), journalPath: "journal.jsonl", ledgers: ledgers,
            limits: .init(maxInFlight: 2, requestsPerSecond: 50), alerts: AlertSettings(overdueAfter: .seconds(3_600)))
        var state = SchedulerState(schedule: schedule)
        var rng = SplitMix64(seed: 1)
        let actions = state.handle(.started(journal: JournalState(), problems: [], requests: .none, controls: LedgerControlState()),
                                   at: SchedulerInstant(timeline: Self.start, wall: Self.start), using: &rng)
        let overdue = actions.compactMap { if case .log(let l) = $0, l.event == "overdue" { l } else { nil } }
        #expect(overdue.filter { $0.ledgerID != nil }.count == 1_000)
        #expect(overdue.filter { $0.ledgerID == nil }.map(\.message).first?.hasPrefix("5 more ledgers have periods overdue") == true)
        #expect(state.overdueTotal == 1_005 * 3)
        #expect(state.statusLine().contains("3015 overdue"))
    }

}

@Suite("SchedulerState: wall clock drift")
struct WallClockDriftTests {
    @Test("a wall clock slewed 1.5 s behind the timeline: the early wake-up is re-armed later, never at a moment already past (no busy loop), and no clock_step is logged")
    func driftDoesNotSpin() {
        let schedule = OperateStateTests.schedule()
        var walk = Walk(seed: 11, schedule: schedule, start: OperateStateTests.start)
        walk.start()
        OperateStateTests.run(&walk)
        // Everything due is done; the next work is 24 Nov 00:00 (wall), armed on the timeline.
        let due = instant("2026-11-24T00:00:00Z")
        guard let armed = walk.state.nextWorkWake() else {
            Issue.record("no work wake-up armed")
            return
        }
        #expect(abs(armed.timeIntervalSince(due)) < 1)
        // NTP slewed the wall clock 1.5 s behind by the time the timer fires.
        walk.timeline = armed
        walk.wallOffset = -1.5
        var logs: [SchedulerLog] = []
        var wake: Date?? = .none
        for action in walk.state.handle(.wake, at: walk.instant, using: &walk.rng) {
            switch action {
            case .log(let l): logs.append(l)
            case .wake(let at): wake = .some(at)
            default: break
            }
        }
        #expect(!logs.contains { $0.event == "clock_step" })
        let next = walk.state.nextWorkWake()
        #expect(next.map { $0 > walk.timeline } == true, "re-armed at \(String(describing: next)), now \(walk.timeline): a busy loop")
        #expect(wake != nil)
    }

}
