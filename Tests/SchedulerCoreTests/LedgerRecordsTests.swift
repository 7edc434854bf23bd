import Foundation
import Testing

@testable import SchedulerCore

/// The daemon's fold keeps plainly completed periods as runs (`CompletedRuns`), so its
/// memory follows what is open, not how long a ledger has run. It must answer every
/// question the scheduler, `plan`, `pause` and `retry` ask exactly as the full fold does.
@Suite("LedgerRecords: completed periods folded into runs, answers unchanged")
struct LedgerRecordsTests {
    static let utcDaily = LedgerSchedule(id: "lgr_daily", cadence: .daily, firstPeriodStart: instant("2024-01-01T00:00:00Z"))
    static let berlinMonthly = LedgerSchedule(
        id: "lgr_monthly", cadence: .monthly, timeZone: TimeZone(identifier: "Europe/Berlin")!,
        firstPeriodStart: instant("2023-12-31T23:00:00Z"))
    /// The same ledger id with another cadence: journals written before a cadence change.
    static let berlinDaily = LedgerSchedule(
        id: "lgr_monthly", cadence: .daily, timeZone: TimeZone(identifier: "Europe/Berlin")!,
        firstPeriodStart: instant("2023-12-31T23:00:00Z"))

    static func periods(_ l: LedgerSchedule, _ n: Int) -> [Period] {
        var out = [l.firstPeriod]
        while out.count < n { out.append(l.calendar.following(out.last!)) }
        return out
    }

    /// A random journal: mostly periods run to completion in order, with everything that
    /// keeps a period out of the runs mixed in (failures, in flight, found on the API,
    /// non-canonical strings, lines after completion, another cadence's periods).
    static func randomJournal(_ seed: UInt64, lines: Int = 1_500) -> [JournalEntry] {
        var rng = SplitMix64(seed: seed)
        let daily = periods(utcDaily, 400)
        let monthly = periods(berlinMonthly, 30)
        let foreign = periods(berlinDaily, 60)
        var out: [JournalEntry] = []
        var t = instant("2026-01-01T00:00:00Z")
        func line(_ ledger: String, _ p: Period, _ event: JournalEvent, start: String? = nil, detail: String? = nil, batches: [String]? = nil) {
            t = t.addingTimeInterval(Double(1 + rng.next() % 30))
            out.append(JournalEntry(
                time: t, ledgerID: ledger, periodStart: start ?? p.startTime, periodEnd: p.endTime, event: event,
                taskID: event == .intent ? nil : Int(rng.next() % 1000), batchIDs: batches, detail: detail))
        }
        var i = 0
        while out.count < lines {
            let pick = rng.next() % 100
            let (ledger, p): (String, Period) = pick < 60
                ? ("lgr_daily", daily[min(i, daily.count - 1)])
                : pick < 85 ? ("lgr_monthly", monthly[Int(rng.next() % UInt64(monthly.count))])
                : ("lgr_monthly", foreign[Int(rng.next() % UInt64(foreign.count))])
            if pick < 60 { i = rng.next() % 10 == 0 ? Int(rng.next() % UInt64(daily.count)) : i + 1 }
            let r = rng.next() % 100
            line(ledger, p, .intent)
            switch r {
            case 0..<60:
                line(ledger, p, .fired)
                line(ledger, p, .completed)
            case 60..<66: line(ledger, p, .completed, detail: "found on the API: bat_1", batches: ["bat_1"])
            case 66..<70: line(ledger, p, .completed, detail: "reconciled: the API has batches for this period", batches: ["bat_2"])
            case 70..<75: line(ledger, p, .fired)
            case 75..<80: line(ledger, p, .failed)
            case 80..<84: line(ledger, p, .ambiguous)
            case 84..<87: line(ledger, p, .skipped)
            case 87..<90: line(ledger, p, .held, detail: "conflict")
            case 90..<93:
                // A period_start written another way (not as the daemon writes it).
                line(ledger, p, .completed, start: p.startTime.replacingOccurrences(of: ".000Z", with: "Z"))
            default:
                line(ledger, p, .completed)
                line(ledger, p, .retryRequested)
            }
        }
        return out
    }

    static func fold(_ lines: [JournalEntry], keepsEveryRecord: Bool) -> JournalState {
        var s = JournalState(keepsEveryRecord: keepsEveryRecord)
        for l in lines { s.apply(l) }
        return s
    }

    /// What the scheduler acts on in a record kept in full. A period taken back out of a
    /// run (a line after its completion) starts again from "completed": its attempt count,
    /// first time, failure counters and the time of its last POST before completion begin
    /// anew; the fields below are the ones a line sets, so they agree.
    static func behaviour(_ r: PeriodRecord) -> String {
        "\(r.lastEvent) \(r.periodEnd) task \(r.taskID ?? -1) \(r.state ?? "-") \(r.progress ?? -1) fired \(r.firedAt?.description ?? "-") "
            + "reconciling \(r.reconcilingSince?.description ?? "-") last \(r.lastTime)"
    }

    @Test("random journals: every period reads the same, and the planner, plan, status and retry agree", arguments: Array(UInt64(1)...12))
    func equivalence(_ seed: UInt64) {
        let lines = Self.randomJournal(seed)
        let full = Self.fold(lines, keepsEveryRecord: true)
        let compact = Self.fold(lines, keepsEveryRecord: false)
        #expect(compact.lineCount == full.lineCount)
        // Periods with lines after a `completed` one.
        var completedOnce: Set<PeriodKey> = [], reopened: Set<PeriodKey> = []
        for l in lines {
            if completedOnce.contains(l.key) { reopened.insert(l.key) }
            if l.event == .completed { completedOnce.insert(l.key) }
        }
        #expect(compact.inFlight == full.inFlight)
        for id in ["lgr_daily", "lgr_monthly"] {
            let a = full.records(ledgerID: id), b = compact.records(ledgerID: id)
            #expect(a.count == b.count)
            #expect(b.plainlyCompleted > 0)
            for (start, r) in a.all {
                let c = b[start]
                #expect(c?.lastEvent == r.lastEvent, "\(id) \(start)")
                #expect(c?.periodEnd == r.periodEnd, "\(id) \(start)")
                if let c, b.others[start] != nil {
                    if reopened.contains(PeriodKey(ledgerID: id, periodStart: start)) {
                        #expect(Self.behaviour(c) == Self.behaviour(r), "\(id) \(start)")
                    } else {
                        #expect(c == r, "\(id) \(start)")
                    }
                }
            }
            #expect(b.newestCompletedEnd == a.newestCompletedEnd)
            #expect(compact.recentDurations(ledgerID: id) == full.recentDurations(ledgerID: id))
        }
        let schedule = Schedule(api: APISettings(baseURL: "http://127.0.0.1:1"), journalPath: "j", ledgers: [Self.utcDaily, Self.berlinMonthly])
        let alternative = Schedule(api: APISettings(baseURL: "http://127.0.0.1:1"), journalPath: "j", ledgers: [Self.utcDaily, Self.berlinDaily])
        let now = instant("2025-06-15T12:00:00Z")
        for s in [schedule, alternative] {
            for l in s.ledgers {
                let a = full.records(ledgerID: l.id), b = compact.records(ledgerID: l.id)
                let pa = LedgerPlanner(ledger: l, records: a), pb = LedgerPlanner(ledger: l, records: b)
                #expect(pb.nextOpenPeriod(records: b) == pa.nextOpenPeriod(records: a))
                let due = pa.duePeriods(records: a, now: now, limit: 1_000_000)
                #expect(pb.duePeriods(records: b, now: now, limit: 1_000_000) == due)
                for p in due.prefix(50) {
                    #expect(pb.conflict(for: p)?.periodStart == pa.conflict(for: p)?.periodStart, "\(l.id) \(p.startTime)")
                }
                #expect(LedgerStatus.of(ledger: l, records: b, pause: nil, now: now, overdueAfter: .seconds(86_400))
                    == LedgerStatus.of(ledger: l, records: a, pause: nil, now: now, overdueAfter: .seconds(86_400)))
                let from = instant("2024-02-01T00:00:00Z"), to = instant("2024-09-01T00:00:00Z")
                #expect(RetryRange.select(records: b, ledgerID: l.id, from: from, toExclusive: to, only: Set(RetryRange.retryable))
                    == RetryRange.select(records: a, ledgerID: l.id, from: from, toExclusive: to, only: Set(RetryRange.retryable)))
            }
            // The attempt count of a period re-opened after completion starts again from it
            // (the daemon never re-opens one: `retry` refuses completed periods).
            func plan(_ state: JournalState) -> String {
                var report = PlanReport.make(schedule: s, state: state, now: now, listLimit: 1_000)
                for i in report.ledgers.indices {
                    for j in report.ledgers[i].due.indices
                    where reopened.contains(PeriodKey(ledgerID: report.ledgers[i].id, periodStart: report.ledgers[i].due[j].periodStart)) {
                        report.ledgers[i].due[j].attempts = 0
                    }
                }
                return report.text()
            }
            #expect(plan(compact) == plan(full))
        }
    }

    @Test("a year of daily periods completed in order is one run of 4 bytes a period, whatever the history")
    func sizeFollowsOpenPeriods() {
        var state = JournalState()
        var t = instant("2026-01-01T00:00:00Z")
        for p in Self.periods(Self.utcDaily, 3_650) {
            for event in [JournalEvent.intent, .fired, .progress, .completed] {
                state.apply(JournalEntry(time: t, ledgerID: "lgr_daily", periodStart: p.startTime, periodEnd: p.endTime, event: event, taskID: event == .intent ? nil : 7))
                t = t.addingTimeInterval(5)
            }
        }
        let records = state.records(ledgerID: "lgr_daily")
        #expect(records.count == 3_650)
        #expect(records.others.isEmpty)
        #expect(records.completed.runs.count == 1)
        #expect(records.completed.runs[0].ends.count == 3_650)
        #expect(records[Self.utcDaily.firstPeriod.startTime]?.lastEvent == .completed)
        #expect(LedgerPlanner(ledger: Self.utcDaily, records: records).nextOpenPeriod(records: records).startTime == "2033-12-29T00:00:00.000Z")
    }

    @Test("runs: appended, prepended, merged, split; overlapping periods refused")
    func runs() {
        var runs = CompletedRuns()
        func insert(_ start: Int64, _ end: Int64) -> Bool { runs.insert(start: start, end: end) }
        func remove(_ start: Int64) -> Int64? { runs.remove(startingAt: start) }
        #expect(insert(100, 200))
        #expect(insert(300, 400))
        #expect(runs.runs.count == 2)
        #expect(!insert(150, 250), "overlaps [100, 200)")
        #expect(!insert(250, 350), "overlaps [300, 400)")
        #expect(insert(200, 300), "fills the gap")
        #expect(runs.runs.count == 1)
        #expect(runs.runs[0].start == 100 && runs.runs[0].end == 400 && runs.count == 3)
        #expect(insert(50, 100), "prepended")
        #expect(runs.runs == [CompletedRuns.Run(start: 50, ends: [50, 150, 250, 350])])
        #expect(runs.end(ofPeriodStartingAt: 200) == 300)
        #expect(runs.end(ofPeriodStartingAt: 250) == nil, "no period starts there")
        #expect(runs.end(ofPeriodStartingAt: 400) == nil)
        #expect(remove(200) == 300)
        #expect(runs.runs == [CompletedRuns.Run(start: 50, ends: [50, 150]), CompletedRuns.Run(start: 300, ends: [100])])
        #expect(runs.count == 3)
        #expect(remove(50) == 100)
        #expect(remove(300) == 400)
        #expect(runs.runs == [CompletedRuns.Run(start: 100, ends: [100])])
        #expect(CompletedRuns(runs: runs.runs) == runs)
        #expect(CompletedRuns(runs: [CompletedRuns.Run(start: 0, ends: [10]), CompletedRuns.Run(start: 5, ends: [10])]) == nil, "overlap")
        #expect(CompletedRuns(runs: [CompletedRuns.Run(start: 0, ends: [10, 10])]) == nil, "empty period")
    }

    @Test("only the daemon's own timestamp strings are folded; others keep their record")
    func canonicalOnly() {
        #expect(UTCTimestamp.canonicalSeconds("2025-03-31T23:59:59.000Z") == 1_743_465_599)
        for text in ["2025-03-31T23:59:59Z", "2025-03-31T23:59:59.001Z", "2025-03-31T23:59:59.000+00:00", "2025-02-29T00:00:00.000Z", "2025-03-31 23:59:59.000Z"] {
            #expect(UTCTimestamp.canonicalSeconds(text) == nil, "\(text)")
        }
        for s in [Int64(0), 1_743_465_599, 4_102_444_799] {
            #expect(UTCTimestamp.canonicalSeconds(UTCTimestamp.format(epochSeconds: s)) == s)
        }
    }

    @Test("a line after a period completed takes it out of its run, folded on from completed")
    func lineAfterCompletion() {
        let ps = Self.periods(Self.utcDaily, 3)
        var state = JournalState()
        let t = instant("2026-01-01T00:00:00Z")
        for p in ps { state.apply(JournalEntry(time: t, ledgerID: "lgr_daily", periodStart: p.startTime, periodEnd: p.endTime, event: .completed)) }
        #expect(state.records(ledgerID: "lgr_daily").completed.runs.count == 1)
        state.apply(JournalEntry(time: t, ledgerID: "lgr_daily", periodStart: ps[1].startTime, periodEnd: ps[1].endTime, event: .intent))
        let records = state.records(ledgerID: "lgr_daily")
        #expect(records[ps[1].startTime]?.lastEvent == .intent)
        #expect(records[ps[1].startTime]?.attempts == 2)
        #expect(records.completed.runs.count == 2)
        #expect(state.inFlight.map(\.periodStart) == [ps[1].startTime])
        let planner = LedgerPlanner(ledger: Self.utcDaily, records: records)
        #expect(planner.nextOpenPeriod(records: records) == ps[1])
    }
}
