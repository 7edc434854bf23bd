import Foundation
import Testing
import SchedulerCore

struct DurationCase: Sendable, CustomTestStringConvertible {
    var text: String
    var years = 0, months = 0, weeks = 0, days = 0, hours = 0, minutes = 0
    var seconds: Double = 0
    var testDescription: String { text }
}

@Suite("ISODuration: settle delays and timeouts as written in a schedule")
struct ISODurationTests {
    static let valid: [DurationCase] = [
        .init(text: "PT6H", hours: 6),
        .init(text: "PT0S"),
        .init(text: "P0D"),
        .init(text: "P1D", days: 1),
        .init(text: "P2W", weeks: 2),
        .init(text: "P1M", months: 1),
        .init(text: "PT1M", minutes: 1),
        .init(text: "P1MT1M", months: 1, minutes: 1),
        .init(text: "P1Y", years: 1),
        .init(text: "PT30M", minutes: 30),
        .init(text: "PT90S", seconds: 90),
        .init(text: "PT0.5S", seconds: 0.5),
        .init(text: "PT1,5S", seconds: 1.5),
        .init(text: "PT2.250S", seconds: 2.25),
        .init(text: "P1DT12H", days: 1, hours: 12),
        .init(text: "P1Y2M3W4DT5H6M7.5S", years: 1, months: 2, weeks: 3, days: 4, hours: 5, minutes: 6, seconds: 7.5),
        .init(text: "pt6h", hours: 6),
        .init(text: "PT36H", hours: 36),
    ]

    @Test("valid durations parse into their parts", arguments: valid)
    func parses(_ c: DurationCase) throws {
        let d = try #require(ISODuration(c.text))
        #expect(d.years == c.years)
        #expect(d.months == c.months)
        #expect(d.weeks == c.weeks)
        #expect(d.days == c.days)
        #expect(d.hours == c.hours)
        #expect(d.minutes == c.minutes)
        #expect(d.seconds == c.seconds)
        #expect(d.text == c.text)
        #expect(d.description == c.text)
    }

    @Test("invalid durations are refused", arguments: [
        "", "P", "PT", "T1H", "6h", "1D", "P1", "PT1", "P1H", "PT1D", "PT1W", "P1DT", "-PT1H", "P-1D", "PT-1S",
        "P1.5D", "PT1.5H", "PT1.5M", "P0.5Y", "P1Y1Y", "PT1H1H", "PTT1H", "P1DT1H1H", "P 1D", " PT1H", "PT1H ",
        "P1S", "P1e3D", "PT1e3S", "PT.S", "PT1..5S", "PTS", "P1D2", "PT6HOURS", "P١D", "PT99999999999H",
    ])
    func refuses(_ text: String) {
        #expect(ISODuration(text) == nil)
    }

    @Test("absurdly large parts are refused rather than overflowing later", arguments: [
        "PT" + String(repeating: "9", count: 31) + "S", "PT99999999999S", "PT1e400S", "P99999999999Y", "PT2147483647S",
    ])
    func tooLarge(_ text: String) {
        #expect(ISODuration(text) == nil)
    }

    @Test("the largest accepted durations still convert and add without trapping")
    func largestAccepted() throws {
        for text in ["PT2147483646S", "P2147483646Y", "P2147483646W", "P2147483646Y2147483646M2147483646W2147483646DT2147483646H2147483646M2147483646S"] {
            let d = try #require(ISODuration(text), "\(text)")
            #expect(d.duration > .zero)
            let later = d.added(to: instant("2025-01-01T00:00:00Z"), in: zone("Europe/Berlin"))
            #expect(later > instant("2025-01-01T00:00:00Z"))
            #expect(!UTCTimestamp.format(later).isEmpty)
        }
    }

    @Test("approximate seconds", arguments: [
        ("PT6H", 21_600.0), ("P1D", 86_400), ("P1W", 604_800), ("PT1H30M", 5_400), ("P1DT12H", 129_600),
        ("PT0.25S", 0.25), ("PT0S", 0),
    ])
    func approximateSeconds(_ text: String, _ seconds: Double) throws {
        let d = try #require(ISODuration(text))
        #expect(d.approximateSeconds == seconds)
        #expect(d.duration == .seconds(seconds))
        #expect(d.isZero == (seconds == 0))
    }

    @Test("zero and the memberwise initialiser")
    func zeroAndInit() {
        #expect(ISODuration.zero.isZero)
        #expect(ISODuration.zero.text == "PT0S")
        let d = ISODuration(hours: 1, minutes: 30, seconds: 15)
        #expect(d.approximateSeconds == 5_415)
        #expect(d.duration == .seconds(5_415))
        #expect(ISODuration(d.text)?.approximateSeconds == 5_415, "its text parses back: \(d.text)")
    }

    // MARK: - Calendar addition

    struct AddCase: Sendable, CustomTestStringConvertible {
        var duration: String
        var zone: String
        var from: String
        var to: String
        var testDescription: String { "\(from) + \(duration) in \(zone)" }
    }

    static let additions: [AddCase] = [
        // Month ends clamp.
        .init(duration: "P1M", zone: "UTC", from: "2025-01-31T10:00:00Z", to: "2025-02-28T10:00:00.000Z"),
        .init(duration: "P1M", zone: "UTC", from: "2024-01-31T10:00:00Z", to: "2024-02-29T10:00:00.000Z"),
        .init(duration: "P1Y", zone: "UTC", from: "2024-02-29T00:00:00Z", to: "2025-02-28T00:00:00.000Z"),
        .init(duration: "P4Y", zone: "UTC", from: "2096-02-29T00:00:00Z", to: "2100-02-28T00:00:00.000Z"),
        .init(duration: "P13M", zone: "UTC", from: "2025-01-15T00:00:00Z", to: "2026-02-15T00:00:00.000Z"),
        .init(duration: "P1M", zone: "UTC", from: "2025-12-31T23:00:00Z", to: "2026-01-31T23:00:00.000Z"),
        .init(duration: "P1M1D", zone: "UTC", from: "2025-01-31T00:00:00Z", to: "2025-03-01T00:00:00.000Z"),
        .init(duration: "P1W", zone: "UTC", from: "2024-12-30T00:00:00Z", to: "2025-01-06T00:00:00.000Z"),
        // Days are calendar days in the zone: same local time tomorrow, 23 or 25 h later.
        .init(duration: "P1D", zone: "Europe/Berlin", from: "2025-03-29T11:00:00Z", to: "2025-03-30T10:00:00.000Z"),
        .init(duration: "PT24H", zone: "Europe/Berlin", from: "2025-03-29T11:00:00Z", to: "2025-03-30T11:00:00.000Z"),
        .init(duration: "P1D", zone: "Europe/Berlin", from: "2025-10-25T10:00:00Z", to: "2025-10-26T11:00:00.000Z"),
        .init(duration: "P1D", zone: "America/New_York", from: "2025-11-01T16:00:00Z", to: "2025-11-02T17:00:00.000Z"),
        .init(duration: "P1D", zone: "Australia/Sydney", from: "2025-10-04T02:00:00Z", to: "2025-10-05T01:00:00.000Z"),
        .init(duration: "P1M", zone: "Europe/Berlin", from: "2025-03-01T11:00:00Z", to: "2025-04-01T10:00:00.000Z"),
        // Into a DST gap: the first instant after it; into an overlap: the earlier instant.
        .init(duration: "P1D", zone: "Europe/Berlin", from: "2025-03-29T01:30:00Z", to: "2025-03-30T01:00:00.000Z"),
        .init(duration: "P1D", zone: "Europe/Berlin", from: "2025-10-25T00:30:00Z", to: "2025-10-26T00:30:00.000Z"),
        // Time parts are absolute.
        .init(duration: "PT6H", zone: "Europe/Berlin", from: "2025-03-29T23:00:00Z", to: "2025-03-30T05:00:00.000Z"),
        .init(duration: "P1DT6H", zone: "Europe/Berlin", from: "2025-03-29T23:00:00Z", to: "2025-03-31T04:00:00.000Z"),
        .init(duration: "PT0.5S", zone: "UTC", from: "2025-01-01T00:00:00Z", to: "2025-01-01T00:00:00.500Z"),
        // A fraction of a second in the start survives a calendar step.
        .init(duration: "P1D", zone: "Europe/Berlin", from: "2025-03-29T11:00:00.250Z", to: "2025-03-30T10:00:00.250Z"),
        .init(duration: "PT0S", zone: "Europe/Berlin", from: "2025-03-29T11:00:00Z", to: "2025-03-29T11:00:00.000Z"),
    ]

    @Test("added(to:in:) applies calendar units in the zone", arguments: additions)
    func added(_ c: AddCase) throws {
        let d = try #require(ISODuration(c.duration))
        #expect(utcString(d.added(to: instant(c.from), in: zone(c.zone))) == c.to)
    }

    @Test("P1D matches Foundation's calendar for every day of 2025 in DST zones",
          arguments: ["Europe/Berlin", "America/New_York", "Australia/Sydney"])
    func dayMatchesFoundation(_ zoneID: String) throws {
        let tz = zone(zoneID)
        let calendar = gregorian(tz)
        let oneDay = try #require(ISODuration("P1D"))
        var t = instant("2025-01-01T12:00:00Z")
        for _ in 0..<365 {
            let expected = try #require(calendar.date(byAdding: .day, value: 1, to: t))
            #expect(oneDay.added(to: t, in: tz) == expected, "\(utcString(t))")
            t = expected
        }
    }
}

@Suite("ISODurationFormat: durations in messages")
struct ISODurationFormatTests {
    @Test("format", arguments: [
        (Duration.seconds(0), "PT0S"), (.seconds(6 * 3600), "PT6H"), (.seconds(1800), "PT30M"), (.seconds(5400), "PT1H30M"),
        (.seconds(86_400), "P1D"), (.seconds(172_800), "P2D"), (.seconds(3601), "PT1H1S"), (.seconds(59), "PT59S"),
        (.seconds(90_000), "PT25H"), (.milliseconds(1500), "PT2S"),
    ])
    func format(_ d: Duration, _ text: String) {
        #expect(ISODurationFormat.format(d) == text)
        #expect(ISODuration(text) != nil)
    }
}
