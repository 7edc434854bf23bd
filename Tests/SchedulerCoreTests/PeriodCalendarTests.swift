import Foundation
import Testing
import SchedulerCore

/// One expected period: the cadence and zone, an instant inside it, and the exact request
/// strings the API receives.
struct PeriodCase: Sendable, CustomTestStringConvertible {
    var zone: String
    var cadence: Cadence
    var inside: String
    var startTime: String
    var endTime: String
    /// Length in hours, when the case is about DST.
    var hours: Double?

    var testDescription: String { "\(cadence) \(zone) containing \(inside)" }
}

@Suite("PeriodCalendar: calendar-aligned periods in a zone")
struct PeriodCalendarTests {
    static let cases: [PeriodCase] = [
        // The contract's examples.
        .init(zone: "Europe/Berlin", cadence: .monthly, inside: "2025-03-15T12:00:00Z",
              startTime: "2025-02-28T23:00:00.000Z", endTime: "2025-03-31T21:59:59.000Z", hours: 31 * 24 - 1),
        .init(zone: "UTC", cadence: .quarterly, inside: "2025-02-10T00:00:00Z",
              startTime: "2025-01-01T00:00:00.000Z", endTime: "2025-03-31T23:59:59.000Z", hours: 90 * 24),

        // Daily across DST: 23 h and 25 h days.
        .init(zone: "Europe/Berlin", cadence: .daily, inside: "2025-03-30T12:00:00Z",
              startTime: "2025-03-29T23:00:00.000Z", endTime: "2025-03-30T21:59:59.000Z", hours: 23),
        .init(zone: "Europe/Berlin", cadence: .daily, inside: "2025-10-26T12:00:00Z",
              startTime: "2025-10-25T22:00:00.000Z", endTime: "2025-10-26T22:59:59.000Z", hours: 25),
        .init(zone: "America/New_York", cadence: .daily, inside: "2025-03-09T12:00:00Z",
              startTime: "2025-03-09T05:00:00.000Z", endTime: "2025-03-10T03:59:59.000Z", hours: 23),
        .init(zone: "America/New_York", cadence: .daily, inside: "2025-11-02T12:00:00Z",
              startTime: "2025-11-02T04:00:00.000Z", endTime: "2025-11-03T04:59:59.000Z", hours: 25),
        // Southern hemisphere: DST starts in October, ends in April.
        .init(zone: "Australia/Sydney", cadence: .daily, inside: "2025-10-05T06:00:00Z",
              startTime: "2025-10-04T14:00:00.000Z", endTime: "2025-10-05T12:59:59.000Z", hours: 23),
        .init(zone: "Australia/Sydney", cadence: .daily, inside: "2025-04-06T06:00:00Z",
              startTime: "2025-04-05T13:00:00.000Z", endTime: "2025-04-06T13:59:59.000Z", hours: 25),

        // Hourly: the local hour right after the spring jump is an ordinary UTC hour.
        .init(zone: "Europe/Berlin", cadence: .hourly, inside: "2025-03-30T01:30:00Z",
              startTime: "2025-03-30T01:00:00.000Z", endTime: "2025-03-30T01:59:59.000Z", hours: 1),
        .init(zone: "Europe/Berlin", cadence: .hourly, inside: "2025-10-26T00:59:59Z",
              startTime: "2025-10-26T00:00:00.000Z", endTime: "2025-10-26T00:59:59.000Z", hours: 1),
        .init(zone: "Europe/Berlin", cadence: .hourly, inside: "2025-10-26T01:00:00Z",
              startTime: "2025-10-26T01:00:00.000Z", endTime: "2025-10-26T01:59:59.000Z", hours: 1),
        .init(zone: "America/New_York", cadence: .hourly, inside: "2025-03-09T07:30:00Z",
              startTime: "2025-03-09T07:00:00.000Z", endTime: "2025-03-09T07:59:59.000Z", hours: 1),
        .init(zone: "America/New_York", cadence: .hourly, inside: "2025-11-02T06:59:59Z",
              startTime: "2025-11-02T06:00:00.000Z", endTime: "2025-11-02T06:59:59.000Z", hours: 1),
        .init(zone: "Australia/Sydney", cadence: .hourly, inside: "2025-10-04T16:30:00Z",
              startTime: "2025-10-04T16:00:00.000Z", endTime: "2025-10-04T16:59:59.000Z", hours: 1),
        .init(zone: "Australia/Sydney", cadence: .hourly, inside: "2025-04-05T15:00:00Z",
              startTime: "2025-04-05T15:00:00.000Z", endTime: "2025-04-05T15:59:59.000Z", hours: 1),
        .init(zone: "Asia/Kolkata", cadence: .hourly, inside: "2025-06-01T10:45:00Z",
              startTime: "2025-06-01T10:30:00.000Z", endTime: "2025-06-01T11:29:59.000Z", hours: 1),

        // Weekly: ISO weeks from Monday, across DST and year ends.
        .init(zone: "Europe/Berlin", cadence: .weekly, inside: "2025-03-30T12:00:00Z",
              startTime: "2025-03-23T23:00:00.000Z", endTime: "2025-03-30T21:59:59.000Z", hours: 7 * 24 - 1),
        .init(zone: "Europe/Berlin", cadence: .weekly, inside: "2025-10-26T12:00:00Z",
              startTime: "2025-10-19T22:00:00.000Z", endTime: "2025-10-26T22:59:59.000Z", hours: 7 * 24 + 1),
        .init(zone: "UTC", cadence: .weekly, inside: "2024-12-30T00:00:00Z",
              startTime: "2024-12-30T00:00:00.000Z", endTime: "2025-01-05T23:59:59.000Z", hours: 7 * 24),
        .init(zone: "UTC", cadence: .weekly, inside: "2025-01-01T12:00:00Z",
              startTime: "2024-12-30T00:00:00.000Z", endTime: "2025-01-05T23:59:59.000Z", hours: 7 * 24),
        // 2020-W53 runs from Monday 2020-12-28 to Sunday 2021-01-03.
        .init(zone: "UTC", cadence: .weekly, inside: "2020-12-28T00:00:00Z",
              startTime: "2020-12-28T00:00:00.000Z", endTime: "2021-01-03T23:59:59.000Z", hours: 7 * 24),
        .init(zone: "UTC", cadence: .weekly, inside: "2021-01-03T23:59:59Z",
              startTime: "2020-12-28T00:00:00.000Z", endTime: "2021-01-03T23:59:59.000Z", hours: 7 * 24),
        .init(zone: "Australia/Sydney", cadence: .weekly, inside: "2025-10-05T00:00:00Z",
              startTime: "2025-09-28T14:00:00.000Z", endTime: "2025-10-05T12:59:59.000Z", hours: 7 * 24 - 1),

        .init(zone: "America/New_York", cadence: .weekly, inside: "2025-03-09T12:00:00Z",
              startTime: "2025-03-03T05:00:00.000Z", endTime: "2025-03-10T03:59:59.000Z", hours: 7 * 24 - 1),
        .init(zone: "America/New_York", cadence: .weekly, inside: "2025-11-02T12:00:00Z",
              startTime: "2025-10-27T04:00:00.000Z", endTime: "2025-11-03T04:59:59.000Z", hours: 7 * 24 + 1),

        // Monthly: DST months, leap Februaries.
        .init(zone: "America/New_York", cadence: .monthly, inside: "2025-03-15T00:00:00Z",
              startTime: "2025-03-01T05:00:00.000Z", endTime: "2025-04-01T03:59:59.000Z", hours: 31 * 24 - 1),
        .init(zone: "Europe/Berlin", cadence: .monthly, inside: "2025-10-15T00:00:00Z",
              startTime: "2025-09-30T22:00:00.000Z", endTime: "2025-10-31T22:59:59.000Z", hours: 31 * 24 + 1),
        .init(zone: "Australia/Sydney", cadence: .monthly, inside: "2025-04-15T00:00:00Z",
              startTime: "2025-03-31T13:00:00.000Z", endTime: "2025-04-30T13:59:59.000Z", hours: 30 * 24 + 1),
        .init(zone: "Australia/Sydney", cadence: .monthly, inside: "2025-10-15T00:00:00Z",
              startTime: "2025-09-30T14:00:00.000Z", endTime: "2025-10-31T12:59:59.000Z", hours: 31 * 24 - 1),
        .init(zone: "America/New_York", cadence: .monthly, inside: "2025-11-30T00:00:00Z",
              startTime: "2025-11-01T04:00:00.000Z", endTime: "2025-12-01T04:59:59.000Z", hours: 30 * 24 + 1),
        .init(zone: "UTC", cadence: .monthly, inside: "2024-02-29T12:00:00Z",
              startTime: "2024-02-01T00:00:00.000Z", endTime: "2024-02-29T23:59:59.000Z", hours: 29 * 24),
        .init(zone: "UTC", cadence: .monthly, inside: "2023-02-14T00:00:00Z",
              startTime: "2023-02-01T00:00:00.000Z", endTime: "2023-02-28T23:59:59.000Z", hours: 28 * 24),
        .init(zone: "UTC", cadence: .monthly, inside: "2100-02-14T00:00:00Z",
              startTime: "2100-02-01T00:00:00.000Z", endTime: "2100-02-28T23:59:59.000Z", hours: 28 * 24),
        .init(zone: "UTC", cadence: .monthly, inside: "2000-02-14T00:00:00Z",
              startTime: "2000-02-01T00:00:00.000Z", endTime: "2000-02-29T23:59:59.000Z", hours: 29 * 24),
        .init(zone: "UTC", cadence: .monthly, inside: "2024-12-31T23:59:59Z",
              startTime: "2024-12-01T00:00:00.000Z", endTime: "2024-12-31T23:59:59.000Z", hours: 31 * 24),

        // Daily: leap day.
        .init(zone: "UTC", cadence: .daily, inside: "2024-02-29T12:00:00Z",
              startTime: "2024-02-29T00:00:00.000Z", endTime: "2024-02-29T23:59:59.000Z", hours: 24),
        .init(zone: "Europe/Berlin", cadence: .daily, inside: "2024-02-29T12:00:00Z",
              startTime: "2024-02-28T23:00:00.000Z", endTime: "2024-02-29T22:59:59.000Z", hours: 24),

        // Quarterly: January, April, July, October.
        .init(zone: "America/New_York", cadence: .quarterly, inside: "2025-11-15T00:00:00Z",
              startTime: "2025-10-01T04:00:00.000Z", endTime: "2026-01-01T04:59:59.000Z", hours: 92 * 24 + 1),
        .init(zone: "Australia/Sydney", cadence: .quarterly, inside: "2025-05-01T00:00:00Z",
              startTime: "2025-03-31T13:00:00.000Z", endTime: "2025-06-30T13:59:59.000Z", hours: 91 * 24 + 1),
        .init(zone: "Europe/Berlin", cadence: .quarterly, inside: "2025-08-01T00:00:00Z",
              startTime: "2025-06-30T22:00:00.000Z", endTime: "2025-09-30T21:59:59.000Z", hours: 92 * 24),
        .init(zone: "Europe/Berlin", cadence: .quarterly, inside: "2025-03-31T21:59:59Z",
              startTime: "2024-12-31T23:00:00.000Z", endTime: "2025-03-31T21:59:59.000Z", hours: 90 * 24 - 1),
        .init(zone: "UTC", cadence: .quarterly, inside: "2024-12-31T23:59:59Z",
              startTime: "2024-10-01T00:00:00.000Z", endTime: "2024-12-31T23:59:59.000Z", hours: 92 * 24),

        // Yearly.
        .init(zone: "Europe/Berlin", cadence: .yearly, inside: "2025-06-01T00:00:00Z",
              startTime: "2024-12-31T23:00:00.000Z", endTime: "2025-12-31T22:59:59.000Z", hours: 365 * 24),
        .init(zone: "Australia/Sydney", cadence: .yearly, inside: "2025-06-01T00:00:00Z",
              startTime: "2024-12-31T13:00:00.000Z", endTime: "2025-12-31T12:59:59.000Z", hours: 365 * 24),
        .init(zone: "America/New_York", cadence: .yearly, inside: "2025-01-01T04:59:59Z",
              startTime: "2024-01-01T05:00:00.000Z", endTime: "2025-01-01T04:59:59.000Z", hours: 366 * 24),
        .init(zone: "UTC", cadence: .yearly, inside: "2100-07-01T00:00:00Z",
              startTime: "2100-01-01T00:00:00.000Z", endTime: "2100-12-31T23:59:59.000Z", hours: 365 * 24),
        .init(zone: "UTC", cadence: .yearly, inside: "2000-07-01T00:00:00Z",
              startTime: "2000-01-01T00:00:00.000Z", endTime: "2000-12-31T23:59:59.000Z", hours: 366 * 24),
    ]

    @Test("period(containing:) gives exact request strings", arguments: cases)
    func periodContaining(_ c: PeriodCase) {
        let calendar = PeriodCalendar(cadence: c.cadence, timeZone: zone(c.zone))
        let period = calendar.period(containing: instant(c.inside))
        #expect(period.startTime == c.startTime)
        #expect(period.endTime == c.endTime)
        if let hours = c.hours {
            #expect(period.length == hours * 3600)
        }
        #expect(period.start <= instant(c.inside) && instant(c.inside) < period.end)
        #expect(calendar.isBoundary(period.start))
        #expect(calendar.isBoundary(period.end))
        #expect(!calendar.isBoundary(period.start.addingTimeInterval(1)))
        #expect(!calendar.isBoundary(period.end.addingTimeInterval(-1)))
    }

    @Test("the first and last second of a period belong to it", arguments: cases)
    func edgesBelong(_ c: PeriodCase) {
        let calendar = PeriodCalendar(cadence: c.cadence, timeZone: zone(c.zone))
        let period = calendar.period(containing: instant(c.inside))
        #expect(calendar.period(containing: period.start) == period)
        #expect(calendar.period(containing: period.end.addingTimeInterval(-1)) == period)
        #expect(calendar.period(containing: period.end.addingTimeInterval(-0.001)) == period)
        #expect(calendar.period(containing: period.end).start == period.end)
        #expect(calendar.period(containing: period.start.addingTimeInterval(-1)).end == period.start)
    }

    @Test("firstPeriod(startingAtOrAfter:) and following()", arguments: cases)
    func firstAndFollowing(_ c: PeriodCase) {
        let calendar = PeriodCalendar(cadence: c.cadence, timeZone: zone(c.zone))
        let period = calendar.period(containing: instant(c.inside))
        let next = calendar.following(period)
        #expect(calendar.firstPeriod(startingAtOrAfter: period.start) == period)
        #expect(calendar.firstPeriod(startingAtOrAfter: period.start.addingTimeInterval(1)) == next)
        #expect(calendar.firstPeriod(startingAtOrAfter: period.start.addingTimeInterval(0.5)) == next)
        #expect(calendar.firstPeriod(startingAtOrAfter: period.end) == next)
        #expect(next.start == period.end)
        #expect(next == calendar.period(containing: period.end))
        #expect(next.start > period.start)
    }

    // MARK: - Hourly across DST

    static let transitions2025: [(String, String)] = [
        ("Europe/Berlin", "2025-03-30T01:00:00Z"), ("Europe/Berlin", "2025-10-26T01:00:00Z"),
        ("America/New_York", "2025-03-09T07:00:00Z"), ("America/New_York", "2025-11-02T06:00:00Z"),
        ("Australia/Sydney", "2025-10-04T16:00:00Z"), ("Australia/Sydney", "2025-04-05T16:00:00Z"),
    ]

    @Test("hourly periods across a DST change are contiguous, 3600 s each, none repeated",
          arguments: transitions2025.map { "\($0.0) \($0.1)" })
    func hourlyAcrossTransition(_ spec: String) {
        let parts = spec.split(separator: " ").map(String.init)
        let tz = zone(parts[0])
        let change = instant(parts[1])
        #expect(tz.secondsFromGMT(for: change.addingTimeInterval(-1)) != tz.secondsFromGMT(for: change),
                "test data: \(spec) should be a DST change on this machine")
        let calendar = PeriodCalendar(cadence: .hourly, timeZone: tz)
        var period = calendar.period(containing: change.addingTimeInterval(-6 * 3600))
        var starts: Set<String> = []
        for _ in 0..<12 {
            let next = calendar.following(period)
            #expect(period.length == 3600)
            #expect(next.start == period.end)
            #expect(period.start.timeIntervalSince1970.truncatingRemainder(dividingBy: 3600) == 0)
            #expect(starts.insert(period.startTime).inserted)
            #expect(calendar.period(containing: period.start.addingTimeInterval(1800)) == period)
            period = next
        }
        #expect(starts.contains(UTCTimestamp.format(change)))
        #expect(starts.contains(UTCTimestamp.format(change.addingTimeInterval(-3600))))
    }

    @Test("a DST day holds 23 or 25 hourly periods",
          arguments: [
              ("Europe/Berlin", "2025-03-30T12:00:00Z", 23), ("Europe/Berlin", "2025-10-26T12:00:00Z", 25),
              ("America/New_York", "2025-03-09T12:00:00Z", 23), ("America/New_York", "2025-11-02T12:00:00Z", 25),
              ("Australia/Sydney", "2025-10-05T03:00:00Z", 23), ("Australia/Sydney", "2025-04-06T03:00:00Z", 25),
              ("UTC", "2025-03-30T12:00:00Z", 24),
          ])
    func hoursInDSTDay(_ zoneID: String, _ inside: String, _ hours: Int) {
        let tz = zone(zoneID)
        let day = PeriodCalendar(cadence: .daily, timeZone: tz).period(containing: instant(inside))
        let hourly = PeriodCalendar(cadence: .hourly, timeZone: tz)
        var period = hourly.period(containing: day.start)
        var count = 0
        while period.start < day.end, count < 30 {
            #expect(period.length == 3600)
            count += 1
            period = hourly.following(period)
        }
        #expect(count == hours)
        #expect(period.start == day.end)
        #expect(day.length == Double(hours) * 3600)
    }

    @Test("a year of daily periods: 365 days, one 23 h and one 25 h day in DST zones",
          arguments: ["Europe/Berlin", "America/New_York", "Australia/Sydney", "UTC", "Asia/Tokyo"])
    func yearOfDays(_ zoneID: String) {
        let tz = zone(zoneID)
        let daily = PeriodCalendar(cadence: .daily, timeZone: tz)
        let year = PeriodCalendar(cadence: .yearly, timeZone: tz).period(containing: instant("2025-07-01T00:00:00Z"))
        var period = daily.firstPeriod(startingAtOrAfter: year.start)
        var lengths: [Double: Int] = [:]
        var count = 0
        while period.start < year.end, count < 400 {
            lengths[period.length / 3600, default: 0] += 1
            count += 1
            period = daily.following(period)
        }
        #expect(count == 365)
        #expect(period.start == year.end)
        let observesDST = tz.nextDaylightSavingTimeTransition(after: year.start).map { $0 < year.end } ?? false
        if observesDST {
            #expect(lengths == [24: 363, 23: 1, 25: 1])
        } else {
            #expect(lengths == [24: 365])
        }
    }

    // MARK: - DST gap at local midnight (the day starts at 01:00)

    struct GapCase: Sendable, CustomTestStringConvertible {
        var zone: String
        var cadence: Cadence
        var inside: String
        var startTime: String
        var nextStartTime: String
        var hours: Double
        var testDescription: String { "\(cadence) \(zone) \(inside)" }
    }

    static let gapCases: [GapCase] = [
        // America/Santiago: 2025-09-07 00:00 → 01:00.
        .init(zone: "America/Santiago", cadence: .daily, inside: "2025-09-06T12:00:00Z",
              startTime: "2025-09-06T04:00:00.000Z", nextStartTime: "2025-09-07T04:00:00.000Z", hours: 24),
        .init(zone: "America/Santiago", cadence: .daily, inside: "2025-09-07T12:00:00Z",
              startTime: "2025-09-07T04:00:00.000Z", nextStartTime: "2025-09-08T03:00:00.000Z", hours: 23),
        .init(zone: "America/Santiago", cadence: .monthly, inside: "2025-09-15T00:00:00Z",
              startTime: "2025-09-01T04:00:00.000Z", nextStartTime: "2025-10-01T03:00:00.000Z", hours: 30 * 24 - 1),
        // America/Santiago: 2025-04-06 00:00 → 2025-04-05 23:00, Saturday has 25 h.
        .init(zone: "America/Santiago", cadence: .daily, inside: "2025-04-05T12:00:00Z",
              startTime: "2025-04-05T03:00:00.000Z", nextStartTime: "2025-04-06T04:00:00.000Z", hours: 25),
        // America/Havana: 2025-03-09 00:00 → 01:00.
        .init(zone: "America/Havana", cadence: .daily, inside: "2025-03-09T12:00:00Z",
              startTime: "2025-03-09T05:00:00.000Z", nextStartTime: "2025-03-10T04:00:00.000Z", hours: 23),
        .init(zone: "America/Havana", cadence: .daily, inside: "2025-03-08T12:00:00Z",
              startTime: "2025-03-08T05:00:00.000Z", nextStartTime: "2025-03-09T05:00:00.000Z", hours: 24),
        // Asia/Beirut: 2025-03-30 00:00 → 01:00.
        .init(zone: "Asia/Beirut", cadence: .daily, inside: "2025-03-30T12:00:00Z",
              startTime: "2025-03-29T22:00:00.000Z", nextStartTime: "2025-03-30T21:00:00.000Z", hours: 23),
        // America/Asuncion: 2023-10-01 00:00 → 01:00 on the first day of a month and quarter.
        .init(zone: "America/Asuncion", cadence: .monthly, inside: "2023-10-15T00:00:00Z",
              startTime: "2023-10-01T04:00:00.000Z", nextStartTime: "2023-11-01T03:00:00.000Z", hours: 31 * 24 - 1),
        .init(zone: "America/Asuncion", cadence: .monthly, inside: "2023-09-15T00:00:00Z",
              startTime: "2023-09-01T04:00:00.000Z", nextStartTime: "2023-10-01T04:00:00.000Z", hours: 30 * 24),
        .init(zone: "America/Asuncion", cadence: .quarterly, inside: "2023-10-01T04:00:00Z",
              startTime: "2023-10-01T04:00:00.000Z", nextStartTime: "2024-01-01T03:00:00.000Z", hours: 92 * 24 - 1),
        .init(zone: "America/Asuncion", cadence: .quarterly, inside: "2023-10-01T03:59:59Z",
              startTime: "2023-07-01T04:00:00.000Z", nextStartTime: "2023-10-01T04:00:00.000Z", hours: 92 * 24),
        // Asia/Tehran: 2021-03-22 (a Monday) 00:00 → 01:00, so that ISO week starts at 01:00.
        .init(zone: "Asia/Tehran", cadence: .weekly, inside: "2021-03-24T00:00:00Z",
              startTime: "2021-03-21T20:30:00.000Z", nextStartTime: "2021-03-28T19:30:00.000Z", hours: 7 * 24 - 1),
    ]

    @Test("a DST gap at local midnight starts the day at the end of the gap", arguments: gapCases)
    func gapAtMidnight(_ c: GapCase) {
        let tz = zone(c.zone)
        let calendar = PeriodCalendar(cadence: c.cadence, timeZone: tz)
        let period = calendar.period(containing: instant(c.inside))
        #expect(period.startTime == c.startTime)
        #expect(UTCTimestamp.format(period.end) == c.nextStartTime)
        #expect(period.length == c.hours * 3600)
        #expect(calendar.following(calendar.period(containing: period.start.addingTimeInterval(-1))) == period)
        #expect(calendar.period(containing: period.start.addingTimeInterval(-1)).end == period.start)
        #expect(calendar.isBoundary(period.start))
        // Foundation agrees on where the day begins.
        let foundationStart = gregorian(tz).startOfDay(for: instant(c.inside))
        if c.cadence == .daily {
            #expect(foundationStart == period.start)
        }
    }

    // MARK: - Properties on every cadence

    @Test("walking periods over years: contiguous, aligned, consistent with period(containing:)",
          arguments: Cadence.allCases)
    func walk(_ cadence: Cadence) {
        let zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago", "Asia/Kolkata"]
        let limit = cadence == .hourly ? 24 * 40 : cadence == .daily ? 800 : 200
        for id in zones {
            let tz = zone(id)
            let local = gregorian(tz)
            let calendar = PeriodCalendar(cadence: cadence, timeZone: tz)
            var period = calendar.firstPeriod(startingAtOrAfter: instant(cadence == .hourly ? "2025-03-20T00:00:00Z" : "2019-12-01T00:00:00Z"))
            for _ in 0..<limit {
                let next = calendar.following(period)
                #expect(next.start == period.end)
                #expect(period.length > 0)
                #expect(calendar.period(containing: period.start) == period)
                #expect(calendar.period(containing: period.end.addingTimeInterval(-1)) == period)
                let c = local.dateComponents([.year, .month, .day, .hour, .minute, .second, .weekday], from: period.start)
                #expect(c.minute == 0)
                #expect(c.second == 0)
                if cadence != .hourly {
                    // Local midnight, or the end of a DST gap that swallowed it.
                    #expect(c.hour == 0 || (c.hour == 1 && tz.secondsFromGMT(for: period.start.addingTimeInterval(-1)) != tz.secondsFromGMT(for: period.start)))
                }
                switch cadence {
                case .hourly: #expect(period.length == 3600)
                case .daily: #expect([23.0, 24, 25].contains(period.length / 3600))
                case .weekly: #expect(c.weekday == 2)
                case .monthly: #expect(c.day == 1)
                case .quarterly: #expect(c.day == 1 && [1, 4, 7, 10].contains(c.month))
                case .yearly: #expect(c.day == 1 && c.month == 1)
                }
                period = next
            }
        }
    }

    @Test("daily, weekly, monthly and yearly agree with Foundation's Calendar",
          arguments: [Cadence.daily, .weekly, .monthly, .yearly])
    func agreesWithFoundation(_ cadence: Cadence) {
        let zones = ["UTC", "Europe/Berlin", "America/New_York", "Australia/Sydney", "America/Santiago", "America/Havana", "Asia/Beirut"]
        let component: Calendar.Component = switch cadence {
        case .daily: .day
        case .weekly: .weekOfYear
        case .monthly: .month
        default: .year
        }
        let count = cadence == .daily ? 400 : cadence == .yearly ? 10 : 120
        for id in zones {
            let tz = zone(id)
            var foundation = Calendar(identifier: cadence == .weekly ? .iso8601 : .gregorian)
            foundation.timeZone = tz
            let calendar = PeriodCalendar(cadence: cadence, timeZone: tz)
            var period = calendar.firstPeriod(startingAtOrAfter: instant("2020-01-01T00:00:00Z"))
            for _ in 0..<count {
                guard let interval = foundation.dateInterval(of: component, for: period.start.addingTimeInterval(1)) else {
                    Issue.record("Foundation has no \(component) interval for \(period) in \(id)")
                    break
                }
                #expect(interval.start == period.start, "\(id) \(cadence) \(period)")
                #expect(interval.end == period.end, "\(id) \(cadence) \(period)")
                period = calendar.following(period)
            }
        }
    }

    /// Samoa skipped 2011-12-30 entirely (UTC−10 → UTC+14): Thursday the 29th is followed
    /// by Saturday the 31st, with no period for a day that never happened.
    @Test("a skipped calendar day (Pacific/Apia, 2011-12-30) has no period")
    func skippedDay() {
        let calendar = PeriodCalendar(cadence: .daily, timeZone: zone("Pacific/Apia"))
        let thursday = calendar.period(containing: instant("2011-12-29T20:00:00Z"))
        #expect(thursday.startTime == "2011-12-29T10:00:00.000Z")
        #expect(thursday.endTime == "2011-12-30T09:59:59.000Z")
        let saturday = calendar.following(thursday)
        #expect(saturday.startTime == "2011-12-30T10:00:00.000Z")
        #expect(saturday.endTime == "2011-12-31T09:59:59.000Z")
        #expect(calendar.period(containing: instant("2011-12-30T10:00:00Z")) == saturday)
        #expect(calendar.period(containing: instant("2011-12-30T09:59:59Z")) == thursday)
    }

    /// Australia/Lord_Howe shifts by 30 minutes: the local hour of the change is split at
    /// the change, so every period still contains the instants it is asked about.
    @Test("hourly periods across a 30-minute DST shift (Australia/Lord_Howe)",
          arguments: [
              ("2025-04-05T13:00:00Z", ["2025-04-05T13:00:00.000Z", "2025-04-05T14:00:00.000Z", "2025-04-05T15:00:00.000Z", "2025-04-05T15:30:00.000Z", "2025-04-05T16:30:00.000Z"]),
              ("2025-10-04T13:30:00Z", ["2025-10-04T13:30:00.000Z", "2025-10-04T14:30:00.000Z", "2025-10-04T15:30:00.000Z", "2025-10-04T16:00:00.000Z", "2025-10-04T17:00:00.000Z"]),
          ])
    func lordHoweHourly(_ from: String, _ starts: [String]) {
        let calendar = PeriodCalendar(cadence: .hourly, timeZone: zone("Australia/Lord_Howe"))
        var period = calendar.period(containing: instant(from))
        var seen: [String] = []
        for _ in starts.indices {
            seen.append(period.startTime)
            var x = period.start
            while x < period.end {
                #expect(calendar.period(containing: x) == period, "\(utcString(x)) in \(period)")
                x = x.addingTimeInterval(300)
            }
            period = calendar.following(period)
        }
        #expect(seen == starts)
    }

    /// Around every 2024–2026 offset change of every zone this machine knows, the period
    /// containing an instant really contains it, and its neighbours join up.
    @Test("every zone, every cadence: period(containing:) contains the instant around each offset change")
    func everyZoneAroundTransitions() {
        let from = instant("2024-01-01T00:00:00Z"), to = instant("2027-01-01T00:00:00Z")
        var failures: [String] = []
        for id in TimeZone.knownTimeZoneIdentifiers {
            guard let tz = TimeZone(identifier: id) else { continue }
            var t = from
            var changes: [Date] = []
            while changes.count < 8, let next = tz.nextDaylightSavingTimeTransition(after: t), next < to {
                changes.append(next)
                t = next
            }
            for change in changes {
                for cadence in Cadence.allCases {
                    let calendar = PeriodCalendar(cadence: cadence, timeZone: tz)
                    for offset in [-3601.0, -1800, -1, 0, 1, 1799, 3600] {
                        let x = change.addingTimeInterval(offset)
                        let p = calendar.period(containing: x)
                        let next = calendar.following(p)
                        let ok = p.start <= x && x < p.end && next.start == p.end && next.length > 0
                            && calendar.period(containing: p.end) == next
                            && (cadence != .hourly || (p.length <= 3600 && p.length > 0))
                        if !ok, failures.count < 20 { failures.append("\(id) \(cadence) at \(utcString(x)): \(p) next \(next)") }
                    }
                }
            }
        }
        #expect(failures.isEmpty, "\(failures.joined(separator: "\n"))")
    }
}
