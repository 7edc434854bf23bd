import Foundation
import Testing
@testable import SchedulerCore

/// Overdue periods, ledger status, pauses, range retry, local times and the schedule's
/// metrics/alerts keys.
@Suite struct OperateTests {
    typealias F = ReportFixture

    @Test("overdue: open periods due longer ago than overdue_after; terminal ones never")
    func overdue() {
        let records = F.state.records(ledgerID: "lgr_report")
        // now 2025-01-06T00:00Z; with P1D, periods due (ended) by 2025-01-05T00:00Z count: days 2, 3, 4.
        let open = LedgerPlanner(ledger: F.ledger, records: records).openPeriods(records: records, from: F.ledger.firstPeriod, now: F.now)
        let p = open.standing(records: records, now: F.now, alerts: AlertSettings(overdueAfter: .seconds(86_400))).overduePeriods
        #expect(p.map(\.startTime) == ["2025-01-02T00:00:00.000Z", "2025-01-03T00:00:00.000Z", "2025-01-04T00:00:00.000Z"])
        #expect(open.standing(records: records, now: F.now, alerts: AlertSettings(overdueAfter: .seconds(10 * 86_400))).overduePeriods.isEmpty)
        // The worked value of the doc comment: due 2025-04-01T04:00Z, overdue from 2025-04-02T04:00Z.
        let alerts = AlertSettings()
        #expect(!alerts.isOverdue(dueAt: instant("2025-04-01T04:00:00Z"), now: instant("2025-04-02T03:59:59Z")))
        #expect(alerts.isOverdue(dueAt: instant("2025-04-01T04:00:00Z"), now: instant("2025-04-02T04:00:00Z")))
    }

    @Test("overdue is logged once per period and again when it becomes overdue anew")
    func overdueLog() {
        let a = Period(start: instant("2025-01-01T00:00:00Z"), end: instant("2025-02-01T00:00:00Z"))
        let b = Period(start: instant("2025-02-01T00:00:00Z"), end: instant("2025-03-01T00:00:00Z"))
        let c = Period(start: instant("2025-03-01T00:00:00Z"), end: instant("2025-04-01T00:00:00Z"))
        let overdueAt = { (p: Period) in p.end.addingTimeInterval(86_400) }
        var log = OverdueLog()
        #expect(log.newlyOverdue([b, a], now: instant("2025-04-01T00:00:00Z"), overdueAt: overdueAt) == [a, b], "the first look logs all, oldest first")
        #expect(log.newlyOverdue([a, b], now: instant("2025-04-01T01:00:00Z"), overdueAt: overdueAt).isEmpty)
        #expect(log.newlyOverdue([b], now: instant("2025-04-01T02:00:00Z"), overdueAt: overdueAt).isEmpty, "a failed")
        log.reopened(PeriodCalendar.epoch(a.start))
        #expect(log.newlyOverdue([a, b], now: instant("2025-04-01T03:00:00Z"), overdueAt: overdueAt) == [a], "a was retried: overdue anew")
        #expect(log.newlyOverdue([a, b, c], now: instant("2025-04-02T00:00:00Z"), overdueAt: overdueAt) == [c], "c crossed its overdue instant")
        #expect(log.newlyOverdue([a, b, c], now: instant("2025-04-03T00:00:00Z"), overdueAt: overdueAt).isEmpty)
    }

    @Test("ledger status counts due, in flight, overdue and the last completed end")
    func ledgerStatus() {
        let s = LedgerStatus.of(ledger: F.ledger, records: F.state.records(ledgerID: "lgr_report"), pause: nil, now: F.now, overdueAfter: .seconds(86_400))
        #expect(s.dueNotDone == 3)  // days 3 (retrying), 4, 5
        #expect(s.inFlight == 1)    // day 2
        #expect(s.overdue == 3)
        #expect(s.lastCompletedEnd == F.day(1).end)
    }

    @Test("pause and resume fold: since is kept when the note changes; resume clears")
    func pauses() throws {
        let t0 = Date(timeIntervalSince1970: 1_700_000_000)
        var state = LedgerControlState()
        let old = state
        state.apply(LedgerControlEntry(time: t0, ledgerID: "lgr_a", action: .paused, by: "alice", note: "refit"))
        state.apply(LedgerControlEntry(time: t0.addingTimeInterval(60), ledgerID: "lgr_a", action: .paused, by: "bob", note: "still"))
        #expect(state.pause(of: "lgr_a") == LedgerPause(since: t0, by: "bob", note: "still"))
        #expect(state.changes(from: old).paused == ["lgr_a"])
        let paused = state
        state.apply(LedgerControlEntry(time: t0.addingTimeInterval(120), ledgerID: "lgr_a", action: .resumed, by: "alice"))
        #expect(!state.isPaused("lgr_a"))
        #expect(state.changes(from: paused).resumed == ["lgr_a"])

        let line = LedgerControlCodec.encode(LedgerControlEntry(time: t0, ledgerID: "lgr_a", action: .paused, by: "al\"ice", note: "why\nnot"))
        #expect(try LedgerControlCodec.decode(line) == LedgerControlEntry(time: t0, ledgerID: "lgr_a", action: .paused, by: "al\"ice", note: "why\nnot"))
        let (replayed, problems) = LedgerControlCodec.replay(line + "\n{\"time\":\"x\"}\n")
        #expect(replayed.isPaused("lgr_a"))
        #expect(problems.count == 1)
        #expect(LedgerControlCodec.operatorName(environment: ["SUDO_USER": "alice", "USER": "root"], uid: 0) == "alice")
        #expect(LedgerControlCodec.operatorName(environment: [:], uid: 1000) == "uid 1000")
    }

    @Test("range retry selects failed/ambiguous/skipped in the range, never completed")
    func rangeRetry() throws {
        var state = JournalState()
        let t = F.now
        func line(_ day: Int, _ e: JournalEvent) {
            let p = F.day(day)
            state.apply(JournalEntry(time: t, ledgerID: "lgr_report", periodStart: p.startTime, periodEnd: p.endTime, event: e))
        }
        line(1, .completed); line(2, .failed); line(3, .ambiguous); line(4, .skipped); line(5, .fired); line(6, .failed)
        let utc = TimeZone(identifier: "UTC")!
        let from = try #require(RetryRange.bound("2025-01-01", zone: utc, isEnd: false))
        let to = try #require(RetryRange.bound("2025-01-05", zone: utc, isEnd: true))
        let all = RetryRange.select(records: state.records(ledgerID: "lgr_report"), ledgerID: "lgr_report", from: from, toExclusive: to, only: [.failed, .ambiguous, .skipped])
        #expect(all.selected.map(\.periodStart) == [F.day(2), F.day(3), F.day(4)].map(\.startTime))
        #expect(all.completed == 1)
        #expect(all.notSelected == ["in_flight": 1])
        let failedOnly = RetryRange.select(records: state.records(ledgerID: "lgr_report"), ledgerID: "lgr_report", from: from, toExclusive: to, only: [.failed])
        #expect(failedOnly.selected.map(\.periodStart) == [F.day(2).startTime])
        #expect(RetryRange.parseOnly("failed, ambiguous").events == [.failed, .ambiguous])
        #expect(RetryRange.parseOnly("failed,completed").bad == "completed")
    }

    @Test("local period labels per cadence, and UTC not GMT")
    func localTimes() throws {
        let berlin = try #require(TimeZone(identifier: "Europe/Berlin"))
        let march = PeriodCalendar(cadence: .monthly, timeZone: berlin).period(containing: instant("2025-03-10T00:00:00Z"))
        #expect(LocalTime.period(march, cadence: .monthly, in: berlin) == "2025-03")
        let hour = PeriodCalendar(cadence: .hourly, timeZone: berlin).period(containing: instant("2025-03-30T00:30:00Z"))
        #expect(LocalTime.period(hour, cadence: .hourly, in: berlin) == "2025-03-30 01:00–03:00")
        let week = PeriodCalendar(cadence: .weekly, timeZone: berlin).period(containing: instant("2025-03-05T00:00:00Z"))
        #expect(LocalTime.period(week, cadence: .weekly, in: berlin) == "2025-03-03–2025-03-09")
        let q = PeriodCalendar(cadence: .quarterly, timeZone: berlin).period(containing: instant("2025-05-05T00:00:00Z"))
        #expect(LocalTime.period(q, cadence: .quarterly, in: berlin) == "2025-Q2")
        #expect(LocalTime.zoneName(TimeZone(identifier: "UTC")!) == "UTC")
        #expect(LocalTime.instant(instant("2025-04-01T04:00:00Z"), in: berlin) == "2025-04-01 06:00 Europe/Berlin")
        #expect(Plural.count(1, "ledger") == "1 ledger" && Plural.count(2, "ledger") == "2 ledgers")
        #expect(Plural.article("hourly") == "an" && Plural.article("daily") == "a")
    }

    @Test("plan and journal: one vocabulary, local periods, paused ledgers, schedule order")
    func reports() {
        var controls = LedgerControlState()
        controls.apply(LedgerControlEntry(time: F.now, ledgerID: "lgr_report", action: .paused, by: "alice", note: "model refit"))
        let plan = PlanReport.make(schedule: F.schedule, state: F.state, controls: controls, now: F.now)
        #expect(plan.ledgers[0].paused?.note == "model refit")
        #expect(plan.ledgers[0].timeZone == "UTC")
        let text = plan.text()
        #expect(text.contains("PAUSED since 2025-01-06 00:00 UTC by alice: model refit"))
        #expect(text.contains("a daily ledger in UTC"))
        #expect(text.contains("2025-01-02  in_flight  5"))
        let journal = JournalReport.make(state: F.state, schedule: F.schedule, controls: controls)
        #expect(journal.ledgers.map(\.id) == ["lgr_report", "lgr_other"])  // schedule order, then journal-only
        #expect(Set(journal.rows.map(\.outcome)) == ["completed", "in_flight", "retrying", "not_fired"])
        let jtext = journal.text()
        #expect(jtext.contains("PAUSED since"))
        #expect(jtext.contains("2025-01-01  completed"))
        #expect(jtext.hasSuffix("4 periods: 1 completed, 1 in_flight, 1 not_fired, 1 retrying\n"))
    }

    @Test("metrics.listen is loopback HOST:PORT; textfile and overdue_after are read")
    func scheduleKeys() throws {
        func decode(_ extra: String) throws(ScheduleError) -> Schedule {
            try ScheduleDecoder.decode("""
                {"api": {"base_url": "https://app.gomangrove.com/api/v1"}, \(extra)
                 "ledgers": [{"id": "lgr_a", "cadence": "daily", "first_period_start": "2025-01-01"}]}
                """, file: "s.json").schedule
        }
        let s = try decode(#""metrics": {"listen": "127.0.0.1:9464", "textfile": "/var/lib/node/m.prom"}, "alerts": {"overdue_after": "PT2H"},"#)
        #expect(s.metrics.listen == ListenAddress(host: "127.0.0.1", port: 9464))
        #expect(s.metrics.textfile == "/var/lib/node/m.prom")
        #expect(s.alerts.overdueAfter == .seconds(7200))
        #expect(try decode("").alerts.overdueAfter == .seconds(86_400))
        #expect(try decode("").metrics.listen == nil)
        #expect(throws: ScheduleError.self) { try decode(#""metrics": {"listen": "0.0.0.0:9464"},"#) }
        #expect(throws: ScheduleError.self) { try decode(#""metrics": {"listen": "9464"},"#) }
        #expect(throws: ScheduleError.self) { try decode(#""alerts": {"overdue_after": "PT1S"},"#) }
        #expect(ListenAddress.parse("[::1]:9464") == .success(ListenAddress(host: "::1", port: 9464)))
        #expect(ListenAddress.parse("localhost:0") == .success(ListenAddress(host: "localhost", port: 0)))
        #expect(ListenAddress.parse("127.0.0.1:70000") == .failure(.badPort("70000")))
    }

    @Test("schedule problems in file order; default first_period_start warnings name the ledger and what was written")
    func problemsInOrder() throws {
        let text = """
            {"api": {"base_url": "https://app.gomangrove.com/api/v1"},
             "defaults": {"first_period_start": "2025-01-15", "time_zone": "Europe/Berlin"},
             "ledgers": [{"id": "lgr_a", "cadence": "monthly", "cadance": "x"},
                         {"id": "lgr_b", "cadence": "daily", "colour": 1}]}
            """
        let (_, warnings) = try ScheduleDecoder.decode(text, file: "s.json")
        let lines = warnings.map { $0.line ?? 0 }
        #expect(lines == lines.sorted())
        let boundary = try #require(warnings.first { $0.message.contains("is not the start") })
        #expect(boundary.message.contains("\"2025-01-15\""))
        #expect(boundary.message.contains("(for ledgers[0], lgr_a)"))
        #expect(boundary.message.contains("the first period generated is 2025-02"))
    }
}
