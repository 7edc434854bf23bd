import Foundation
import Testing
import SchedulerCore

@Suite("UTCTimestamp: the API's and the journal's timestamp strings")
struct UTCTimestampTests {
    @Test("format", arguments: [
        (0.0, "1970-01-01T00:00:00.000Z"),
        (-1, "1969-12-31T23:59:59.000Z"),
        (-0.5, "1969-12-31T23:59:59.500Z"),
        (1_743_465_599, "2025-03-31T23:59:59.000Z"),
        (1_735_689_600.123, "2025-01-01T00:00:00.123Z"),
        (1_709_164_800, "2024-02-29T00:00:00.000Z"),
        (951_782_400, "2000-02-29T00:00:00.000Z"),
        (4_107_542_400, "2100-03-01T00:00:00.000Z"),
        (253_402_300_799.999, "9999-12-31T23:59:59.999Z"),
    ])
    func format(_ seconds: Double, _ text: String) {
        #expect(UTCTimestamp.format(Date(timeIntervalSince1970: seconds)) == text)
        #expect(UTCTimestamp.formatRFC3339(Date(timeIntervalSince1970: seconds)) == text)
    }

    @Test("whole milliseconds are the nearest, not rounded down: a double just below .123 is .123", arguments: [
        (1_743_508_800.123, Int64(1_743_508_800_123), "2025-04-01T12:00:00.123Z"),
        (1_743_508_800.0129, Int64(1_743_508_800_013), "2025-04-01T12:00:00.013Z"),
        (-0.001, Int64(-1), "1969-12-31T23:59:59.999Z"),
        (-1.5, Int64(-1_500), "1969-12-31T23:59:58.500Z"),
    ])
    func milliseconds(_ seconds: Double, _ millis: Int64, _ text: String) {
        let date = Date(timeIntervalSince1970: seconds)
        #expect(UTCTimestamp.milliseconds(of: date) == millis)
        #expect(UTCTimestamp.format(milliseconds: millis) == text)
        #expect(UTCTimestamp.format(date) == text)
        #expect(UTCTimestamp.parseMilliseconds(text) == millis)
        #expect(UTCTimestamp.milliseconds(of: UTCTimestamp.date(milliseconds: millis)) == millis)
    }

    @Test("dates far outside 0000–9999 format without trapping", arguments: [1e17, -1e17, 1e20, -1e20, 1e300, -1e300])
    func extremes(_ seconds: Double) {
        #expect(UTCTimestamp.format(Date(timeIntervalSince1970: seconds)).hasSuffix("Z"))
    }

    @Test("every millisecond survives format → parse → format")
    func millisecondRoundTrip() {
        for base in [0.0, 1_743_465_599, 1_735_689_600, 4_102_444_799] {
            for ms in 0..<1000 {
                let text = UTCTimestamp.format(Date(timeIntervalSince1970: base + Double(ms) / 1000))
                #expect(text.hasSuffix(String(format: ".%03dZ", ms)), "\(base) + \(ms) ms → \(text)")
                guard let parsed = UTCTimestamp.parse(text) else {
                    Issue.record("could not parse \(text)")
                    continue
                }
                #expect(UTCTimestamp.format(parsed) == text)
            }
        }
    }

    @Test("parse ↔ format round trip of request strings", arguments: [
        "2025-02-28T23:00:00.000Z", "2025-03-31T21:59:59.000Z", "2024-02-29T12:34:56.789Z",
        "1970-01-01T00:00:00.000Z", "1969-07-20T20:17:40.000Z", "2099-12-31T23:59:59.999Z",
    ])
    func roundTrip(_ text: String) throws {
        let date = try #require(UTCTimestamp.parse(text))
        #expect(UTCTimestamp.format(date) == text)
    }

    @Test("parse accepts RFC 3339 forms", arguments: [
        ("2025-03-31T23:59:59Z", "2025-03-31T23:59:59.000Z"),
        ("2025-03-31T23:59:59.5Z", "2025-03-31T23:59:59.500Z"),
        ("2025-03-31T23:59:59.123456Z", "2025-03-31T23:59:59.123Z"),
        ("2025-03-31t23:59:59z", "2025-03-31T23:59:59.000Z"),
        ("2025-03-31 23:59:59Z", "2025-03-31T23:59:59.000Z"),
        ("2025-04-01T01:59:59+02:00", "2025-03-31T23:59:59.000Z"),
        ("2025-03-31T18:59:59-05:00", "2025-03-31T23:59:59.000Z"),
        ("2025-04-01T05:29:59+05:30", "2025-03-31T23:59:59.000Z"),
        ("2025-03-31T23:59:59+00:00", "2025-03-31T23:59:59.000Z"),
        ("2025-03-31T23:59:59-00:00", "2025-03-31T23:59:59.000Z"),
        ("2025-04-01T23:44:59+23:45", "2025-03-31T23:59:59.000Z"),
        ("2025-01-01T00:30:00.250+01:00", "2024-12-31T23:30:00.250Z"),
        ("2024-02-29T00:00:00Z", "2024-02-29T00:00:00.000Z"),
        ("2000-02-29T00:00:00Z", "2000-02-29T00:00:00.000Z"),
    ])
    func parseForms(_ text: String, _ expected: String) throws {
        let date = try #require(UTCTimestamp.parse(text))
        #expect(UTCTimestamp.format(date) == expected)
    }

    @Test("parse rejects anything else", arguments: [
        "", "2025-03-31", "2025-03-31T23:59:59", "2025-03-31T23:59:59.000", "2025-03-31T23:59Z",
        "2025-13-01T00:00:00Z", "2025-00-01T00:00:00Z", "2025-02-29T00:00:00Z", "2100-02-29T00:00:00Z",
        "2024-02-30T00:00:00Z", "2025-04-31T00:00:00Z", "2025-03-31T24:00:00Z", "2025-03-31T23:60:00Z",
        "2025-03-31T23:59:59.Z", "2025-03-31T23:59:59+0200", "2025-03-31T23:59:59+02",
        "2025-03-31T23:59:59Zjunk", "2025-03-31T23:59:59Z ", " 2025-03-31T23:59:59Z",
        "2025/03/31T23:59:59Z", "2025-03-31X23:59:59Z", "abcd-03-31T23:59:59Z", "25-03-31T23:59:59Z",
        "2025-3-31T23:59:59Z", "2025-03-31T23:59:59+02:0", "2025-03-31T23:59:59.000ZZ",
        "2025-03-31T23:59:59.000+02:00:00", "２０２５-03-31T23:59:59Z", "2025-03-31T23:59:59+24:00",
        "2025-03-31T23:59:59+02:60", "2025-03-31T23:59:59+99:99",
    ])
    func parseRejects(_ text: String) {
        #expect(UTCTimestamp.parse(text) == nil)
    }
}

@Suite("CivilDate: proleptic Gregorian day numbers")
struct CivilDateTests {
    @Test("known day numbers", arguments: [
        (1970, 1, 1, Int64(0)), (1969, 12, 31, -1), (2000, 3, 1, 11_017), (2025, 1, 1, 20_089),
        (2024, 2, 29, 19_782), (1600, 1, 1, -135_140), (2400, 12, 31, 157_419),
    ])
    func known(_ y: Int, _ m: Int, _ d: Int, _ days: Int64) {
        #expect(CivilDate.toDays(year: y, month: m, day: d) == days)
        let back = CivilDate.fromDays(days)
        #expect(back.year == y && back.month == m && back.day == d)
    }

    @Test("toDays and fromDays are inverse over ±400 years around 1970")
    func inverse() {
        var previous = CivilDate.fromDays(-150_001)
        for days in Int64(-150_000)...150_000 {
            let (y, m, d) = CivilDate.fromDays(days)
            if CivilDate.toDays(year: y, month: m, day: d) != days {
                Issue.record("day \(days) → \(y)-\(m)-\(d) does not map back")
                return
            }
            // Each day follows the previous one.
            let continues = (y == previous.year && m == previous.month && d == previous.day + 1)
                || (d == 1 && previous.day == CivilDate.daysInMonth(year: previous.year, month: previous.month)
                    && ((m == previous.month + 1 && y == previous.year) || (m == 1 && previous.month == 12 && y == previous.year + 1)))
            if !continues {
                Issue.record("day \(days) = \(y)-\(m)-\(d) does not follow \(previous)")
                return
            }
            previous = (y, m, d)
        }
    }

    @Test("agrees with Foundation's Gregorian calendar, 1600–2400")
    func agreesWithFoundation() {
        let utc = gregorian(TimeZone(identifier: "UTC") ?? zone("UTC"))
        var days = CivilDate.toDays(year: 1600, month: 1, day: 1)
        let end = CivilDate.toDays(year: 2400, month: 12, day: 31)
        var checked = 0
        while days <= end {
            let date = Date(timeIntervalSince1970: TimeInterval(days * 86_400))
            let c = utc.dateComponents([.year, .month, .day, .weekday], from: date)
            let mine = CivilDate.fromDays(days)
            #expect(c.year == mine.year && c.month == mine.month && c.day == mine.day, "day \(days)")
            // Foundation: Sunday = 1 … Saturday = 7; ISO: Monday = 1 … Sunday = 7.
            #expect(c.weekday.map { ($0 + 5) % 7 + 1 } == CivilDate.isoWeekday(days: days), "weekday of \(mine)")
            days += 37 // co-prime with 7, so every weekday and month is visited
            checked += 1
        }
        #expect(checked > 7000)
        // Every day of 1999–2001 and 2099–2101, where leap rules bite.
        for range in [(1999, 2001), (2099, 2101)] {
            var day = CivilDate.toDays(year: range.0, month: 1, day: 1)
            let last = CivilDate.toDays(year: range.1, month: 12, day: 31)
            while day <= last {
                let c = utc.dateComponents([.year, .month, .day], from: Date(timeIntervalSince1970: TimeInterval(day * 86_400)))
                let mine = CivilDate.fromDays(day)
                #expect(c.year == mine.year && c.month == mine.month && c.day == mine.day, "day \(day)")
                day += 1
            }
        }
    }

    @Test("leap years", arguments: [(2000, true), (2100, false), (2024, true), (2023, false), (1900, false), (2400, true), (1996, true)])
    func leap(_ year: Int, _ leap: Bool) {
        #expect(CivilDate.isLeapYear(year) == leap)
        #expect(CivilDate.daysInMonth(year: year, month: 2) == (leap ? 29 : 28))
    }

    @Test("days in month")
    func daysInMonth() {
        #expect((1...12).map { CivilDate.daysInMonth(year: 2025, month: $0) } == [31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31])
    }

    @Test("ISO weekday", arguments: [
        (1970, 1, 1, 4), (2024, 12, 30, 1), (2020, 12, 28, 1), (2021, 1, 3, 7), (1969, 12, 29, 1), (2025, 3, 30, 7),
    ])
    func isoWeekday(_ y: Int, _ m: Int, _ d: Int, _ weekday: Int) {
        #expect(CivilDate.isoWeekday(days: CivilDate.toDays(year: y, month: m, day: d)) == weekday)
    }
}
