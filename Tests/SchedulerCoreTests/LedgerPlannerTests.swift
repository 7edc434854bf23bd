import Foundation
import Testing
import SchedulerCore

@Suite("LedgerPlanner: catch-up enumeration and what to fire next")
struct LedgerPlannerTests {
    /// Records as the journal fold produces them: one line per (period, event).
    static func records(_ ledgerID: String, _ lines: [(Period, JournalEvent)]) -> LedgerRecords {
        var state = JournalState()
        for (i, (period, event)) in lines.enumerated() {
            state.apply(JournalEntry(
                time: Date(timeIntervalSince1970: 1_800_000_000 + Double(i)), ledgerID: ledgerID,
                periodStart: period.startTime, periodEnd: period.endTime, event: event,
                taskID: event == .intent ? nil : 100 + i))
        }
        return state.records(ledgerID: ledgerID)
    }

    static func ledger(_ cadence: Cadence, _ zoneID: String = "UTC", from start: String, delay: String = "PT0S") -> LedgerSchedule {
        let tz = zone(zoneID)
        return LedgerSchedule(id: "lgr_plan", cadence: cadence, timeZone: tz,
                              firstPeriodStart: ScheduleDecoder.parseStart(start, zone: tz) ?? instant(start),
                              settleDelay: ISODuration(delay) ?? .zero)
    }

    @Test("daily from 2020-01-01 to 2026-11-23: every closed day, oldest first")
    func dailyCatchUp() {
        let l = Self.ledger(.daily, from: "2020-01-01T00:00:00Z")
        let planner = LedgerPlanner(ledger: l, records: [:])
        let due = planner.duePeriods(records: [:], now: instant("2026-11-23T00:00:00Z"))
        let expected = Int(CivilDate.toDays(year: 2026, month: 11, day: 23) - CivilDate.toDays(year: 2020, month: 1, day: 1))
        #expect(expected == 2518)
        #expect(due.count == 2518)
        #expect(due.first?.startTime == "2020-01-01T00:00:00.000Z")
        #expect(due.last?.startTime == "2026-11-22T00:00:00.000Z")
        #expect(due.last?.endTime == "2026-11-22T23:59:59.000Z")
        #expect(zip(due, due.dropFirst()).allSatisfy { $0.end == $1.start })
        #expect(Set(due.map(\.startTime)).count == due.count)
    }

    @Test("settle delay moves the catch-up frontier", arguments: [
        ("2026-11-23T05:59:59Z", 2517), ("2026-11-23T06:00:00Z", 2518), ("2026-11-23T05:59:59.999Z", 2517),
    ])
    func settleFrontier(_ now: String, _ count: Int) {
        let l = Self.ledger(.daily, from: "2020-01-01", delay: "PT6H")
        let planner = LedgerPlanner(ledger: l, records: [:])
        #expect(planner.duePeriods(records: [:], now: instant(now)).count == count)
    }

    @Test("monthly in Berlin from 2020-01 to 2026-11-23: 82 months", arguments: [
        ("PT0S", "2026-11-23T00:00:00Z", 82), ("P1D", "2026-11-23T00:00:00Z", 82),
        ("PT0S", "2026-10-31T23:00:00Z", 82), ("PT0S", "2026-10-31T22:59:59Z", 81),
        ("PT6H", "2026-11-01T04:59:59Z", 81), ("PT6H", "2026-11-01T05:00:00Z", 82),
    ])
    func monthlyCatchUp(_ delay: String, _ now: String, _ count: Int) {
        let l = Self.ledger(.monthly, "Europe/Berlin", from: "2019-12-31T23:00:00Z", delay: delay)
        let due = LedgerPlanner(ledger: l, records: [:]).duePeriods(records: [:], now: instant(now))
        #expect(due.count == count)
        #expect(due.first?.startTime == "2019-12-31T23:00:00.000Z")
        #expect(due.first?.endTime == "2020-01-31T22:59:59.000Z")
        #expect(due == due.sorted())
    }

    @Test("quarterly, weekly, yearly and hourly catch-up counts")
    func otherCounts() {
        let now = instant("2026-11-23T00:00:00Z")
        let quarterly = Self.ledger(.quarterly, from: "2020-01-01T00:00:00Z")
        #expect(LedgerPlanner(ledger: quarterly, records: [:]).duePeriods(records: [:], now: now).count == 27)
        let yearly = Self.ledger(.yearly, "Australia/Sydney", from: "2020-01-01")
        let years = LedgerPlanner(ledger: yearly, records: [:]).duePeriods(records: [:], now: now)
        #expect(years.map(\.startTime) == (2020...2025).map { "\($0 - 1)-12-31T13:00:00.000Z" })
        // 2020-01-06 is a Monday; 2026-11-16 starts the last closed week.
        let weekly = Self.ledger(.weekly, from: "2020-01-01")
        let weeks = LedgerPlanner(ledger: weekly, records: [:]).duePeriods(records: [:], now: now)
        #expect(weeks.first?.startTime == "2020-01-06T00:00:00.000Z")
        #expect(weeks.last?.startTime == "2026-11-16T00:00:00.000Z")
        #expect(weeks.count == Int(CivilDate.toDays(year: 2026, month: 11, day: 23) - CivilDate.toDays(year: 2020, month: 1, day: 6)) / 7)
        // Hourly in New York across a year: 8760 hours whatever DST does.
        let hourly = Self.ledger(.hourly, "America/New_York", from: "2025-01-01")
        let hours = LedgerPlanner(ledger: hourly, records: [:]).duePeriods(records: [:], now: instant("2026-01-01T05:00:00Z"))
        #expect(hours.count == 8760)
        #expect(hours.allSatisfy { $0.length == 3600 })
    }

    @Test("the limit caps the list, oldest first")
    func limit() {
        let l = Self.ledger(.hourly, from: "2020-01-01")
        let due = LedgerPlanner(ledger: l, records: [:]).duePeriods(records: [:], now: instant("2026-11-23T00:00:00Z"), limit: 10)
        #expect(due.count == 10)
        #expect(due.first?.startTime == "2020-01-01T00:00:00.000Z")
        #expect(due.last?.startTime == "2020-01-01T09:00:00.000Z")
        let none = LedgerPlanner(ledger: l, records: [:]).duePeriods(records: [:], now: instant("2026-11-23T00:00:00Z"), limit: 0)
        #expect(none.isEmpty)
    }

    @Test("nothing is due before the first period closes, or when first_period_start is in the future")
    func nothingDue() {
        let l = Self.ledger(.monthly, from: "2026-11-01", delay: "PT6H")
        let planner = LedgerPlanner(ledger: l, records: [:])
        #expect(planner.duePeriods(records: [:], now: instant("2026-11-23T00:00:00Z")).isEmpty)
        #expect(planner.duePeriods(records: [:], now: instant("2026-12-01T05:59:59Z")).isEmpty)
        #expect(planner.duePeriods(records: [:], now: instant("2026-12-01T06:00:00Z")).count == 1)
        let future = Self.ledger(.daily, from: "2030-01-01")
        #expect(LedgerPlanner(ledger: future, records: [:]).duePeriods(records: [:], now: instant("2026-11-23T00:00:00Z")).isEmpty)
    }

    @Test("a first_period_start inside a period starts with the next whole period")
    func unalignedStart() {
        let l = Self.ledger(.monthly, from: "2025-01-15")
        #expect(l.firstPeriod.startTime == "2025-02-01T00:00:00.000Z")
        let due = LedgerPlanner(ledger: l, records: [:]).duePeriods(records: [:], now: instant("2025-04-01T00:00:00Z"))
        #expect(due.map(\.startTime) == ["2025-02-01T00:00:00.000Z", "2025-03-01T00:00:00.000Z"])
    }

    @Test("terminal records are done; every other record stays due")
    func terminalExcluded() {
        let l = Self.ledger(.daily, from: "2025-01-01")
        let cal = l.calendar
        var periods: [Period] = [l.firstPeriod]
        for _ in 0..<11 { periods.append(cal.following(periods.last!)) }
        let events: [JournalEvent] = [.completed, .failed, .skipped, .ambiguous, .intent, .fired, .progress,
                                      .reconciling, .notFired, .taskFailed, .previewEmpty, .retryRequested]
        let records = Self.records(l.id, Array(zip(periods, events)))
        let planner = LedgerPlanner(ledger: l, records: records)
        let due = planner.duePeriods(records: records, now: instant("2025-01-13T00:00:00Z"))
        #expect(due.map(\.startTime) == Array(periods[4...]).map(\.startTime))
    }

    @Test("nextOpenPeriod skips terminal records and stops at the first non-terminal one")
    func nextOpen() {
        let l = Self.ledger(.monthly, "Europe/Berlin", from: "2025-01-01")
        let cal = l.calendar
        let jan = l.firstPeriod, feb = cal.following(jan), mar = cal.following(feb), apr = cal.following(mar)
        let planner = LedgerPlanner(ledger: l, records: [:])
        #expect(planner.nextOpenPeriod(records: [:]) == jan)

        let done = Self.records(l.id, [(jan, .completed), (feb, .skipped), (mar, .fired)])
        #expect(planner.nextOpenPeriod(records: done) == mar)
        let gap = Self.records(l.id, [(jan, .completed), (mar, .completed)])
        #expect(planner.nextOpenPeriod(records: gap) == feb)
        let allDone = Self.records(l.id, [(jan, .completed), (feb, .failed), (mar, .ambiguous)])
        #expect(planner.nextOpenPeriod(records: allDone) == apr)
        for event in JournalEvent.allCases where !event.isTerminal {
            #expect(planner.nextOpenPeriod(records: Self.records(l.id, [(jan, event)])) == jan, "\(event)")
        }
        // `from` moves the search forward, never before the first period.
        #expect(planner.nextOpenPeriod(records: done, from: apr) == apr)
        #expect(planner.nextOpenPeriod(records: allDone, from: feb) == apr)
        let before = cal.period(containing: instant("2024-06-15T00:00:00Z"))
        #expect(planner.nextOpenPeriod(records: [:], from: before) == jan)
    }

    @Test("nextOpenPeriod is bounded even with thousands of terminal records")
    func nextOpenBounded() {
        let l = Self.ledger(.hourly, from: "2025-01-01")
        var lines: [(Period, JournalEvent)] = []
        var p = l.firstPeriod
        for _ in 0..<3000 {
            lines.append((p, .completed))
            p = l.calendar.following(p)
        }
        let records = Self.records(l.id, lines)
        #expect(LedgerPlanner(ledger: l, records: records).nextOpenPeriod(records: records) == p)
    }

    // MARK: - Cadence or zone changed under an existing journal

    @Test("conflict(): an old monthly record blocks the quarter that overlaps it")
    func monthlyToQuarterly() {
        let monthly = Self.ledger(.monthly, from: "2025-01-01")
        let jan = monthly.firstPeriod
        let feb = monthly.calendar.following(jan)
        let records = Self.records("lgr_plan", [(jan, .completed), (feb, .fired)])
        let quarterly = Self.ledger(.quarterly, from: "2025-01-01")
        let planner = LedgerPlanner(ledger: quarterly, records: records)
        let q1 = quarterly.firstPeriod, q2 = quarterly.calendar.following(q1)
        let conflict = planner.conflict(for: q1)
        #expect(conflict?.periodStart == "2025-01-01T00:00:00.000Z")
        #expect(conflict?.event == .completed)
        #expect(planner.conflict(for: q2) == nil)
        // The monthly January record (same start string) is not mistaken for Q1 being done:
        // Q1 stays visibly open so the caller asks conflict(for:) instead of losing Feb and March.
        #expect(planner.nextOpenPeriod(records: records) == q1)
        #expect(planner.duePeriods(records: records, now: instant("2025-07-01T00:00:00Z")) == [q1, q2])
    }

    @Test("conflict(): records that generated nothing do not block", arguments: [JournalEvent.skipped, .notFired])
    func harmlessRecords(_ event: JournalEvent) {
        let monthly = Self.ledger(.monthly, from: "2025-01-01")
        let records = Self.records("lgr_plan", [(monthly.firstPeriod, event)])
        let quarterly = Self.ledger(.quarterly, from: "2025-01-01")
        #expect(LedgerPlanner(ledger: quarterly, records: records).conflict(for: quarterly.firstPeriod) == nil)
    }

    @Test("conflict(): records of the current cadence never conflict")
    func alignedRecords() {
        let l = Self.ledger(.quarterly, from: "2025-01-01")
        let records = Self.records(l.id, [(l.firstPeriod, .completed)])
        let planner = LedgerPlanner(ledger: l, records: records)
        #expect(planner.conflict(for: l.firstPeriod) == nil)
        #expect(planner.conflict(for: l.calendar.following(l.firstPeriod)) == nil)
    }

    @Test("conflict(): a time-zone change shifts every daily period")
    func zoneChange() {
        let utc = Self.ledger(.daily, from: "2025-06-01")
        let records = Self.records("lgr_plan", [(utc.firstPeriod, .completed)])
        let berlin = Self.ledger(.daily, "Europe/Berlin", from: "2025-06-01")
        let planner = LedgerPlanner(ledger: berlin, records: records)
        // Berlin's June 1 (2025-05-31T22:00Z…) and June 2 (…06-01T22:00Z) both overlap UTC's June 1.
        #expect(planner.conflict(for: berlin.firstPeriod)?.periodStart == "2025-06-01T00:00:00.000Z")
        #expect(planner.conflict(for: berlin.calendar.following(berlin.firstPeriod))?.periodStart == "2025-06-01T00:00:00.000Z")
        #expect(planner.conflict(for: berlin.calendar.following(berlin.calendar.following(berlin.firstPeriod))) == nil)
    }
}
