import Foundation

/// An ISO 8601 duration (`PT6H`, `P1D`, `P1Y2M3W4DT5H6M7.5S`) as written in a schedule.
/// Years, months, weeks and days are calendar units applied in the ledger's time zone
/// (`P1D` after a DST day is still "same time tomorrow"); hours, minutes and seconds are
/// absolute.
public struct ISODuration: Sendable, Hashable, CustomStringConvertible {
    public var years = 0
    public var months = 0
    public var weeks = 0
    public var days = 0
    public var hours = 0
    public var minutes = 0
    public var seconds: Double = 0
    /// The text it was parsed from, for messages and `plan` output.
    public private(set) var text: String

    public static let zero = ISODuration(text: "PT0S")

    private init(text: String) { self.text = text }

    public init(hours: Int = 0, minutes: Int = 0, seconds: Double = 0) {
        self.text = "PT\(hours)H\(minutes)M\(seconds)S"
        self.hours = hours
        self.minutes = minutes
        self.seconds = seconds
    }

    public var description: String { text }

    /// Nil unless `text` is a valid, non-negative ISO 8601 duration.
    public init?(_ text: String) {
        self.text = text
        var chars = Substring(text.uppercased())
        guard chars.first == "P" else { return nil }
        chars = chars.dropFirst()
        guard !chars.isEmpty else { return nil }
        var inTime = false
        var sawAny = false
        var number = ""
        var seenDesignators = Set<String>()
        for c in chars {
            if c == "T" {
                guard !inTime, number.isEmpty else { return nil }
                inTime = true
                continue
            }
            if c.isNumber || c == "." || c == "," {
                number.append(c == "," ? "." : c)
                continue
            }
            guard !number.isEmpty, let value = Double(number), value >= 0 else { return nil }
            let key = (inTime ? "T" : "") + String(c)
            guard seenDesignators.insert(key).inserted else { return nil }
            let isWhole = value == value.rounded() && value < Double(Int32.max)
            switch (inTime, c) {
            case (false, "Y"): guard isWhole else { return nil }; years = Int(value)
            case (false, "M"): guard isWhole else { return nil }; months = Int(value)
            case (false, "W"): guard isWhole else { return nil }; weeks = Int(value)
            case (false, "D"): guard isWhole else { return nil }; days = Int(value)
            case (true, "H"): guard isWhole else { return nil }; hours = Int(value)
            case (true, "M"): guard isWhole else { return nil }; minutes = Int(value)
            case (true, "S"): guard value < Double(Int32.max) else { return nil }; seconds = value
            default: return nil
            }
            number = ""
            sawAny = true
        }
        guard number.isEmpty, sawAny else { return nil }
        if inTime, text.uppercased().hasSuffix("T") { return nil }
    }

    /// Seconds of the time part plus 86 400 per day and week: exact only when no calendar
    /// unit (years, months) is present. For display and rough comparisons.
    public var approximateSeconds: Double {
        Double(((years * 365 + months * 30 + weeks * 7 + days) * 24 + hours) * 3600 + minutes * 60) + seconds
    }

    public var isZero: Bool { approximateSeconds == 0 }

    /// `date` plus this duration, calendar units applied in `timeZone`.
    public func added(to date: Date, in timeZone: TimeZone) -> Date {
        var result = date
        if years != 0 || months != 0 || weeks != 0 || days != 0 {
            let zone = ZoneClock(timeZone: timeZone)
            let t = PeriodCalendar.epoch(date)
            let local = zone.local(t)
            let dayNumber = floorDiv(local, 86_400)
            let secondOfDay = local - dayNumber * 86_400
            var (y, m, d) = CivilDate.fromDays(dayNumber)
            let totalMonths = (y * 12 + (m - 1)) + years * 12 + months
            y = totalMonths / 12
            m = totalMonths % 12 + 1
            d = min(d, CivilDate.daysInMonth(year: y, month: m))
            let newDay = CivilDate.toDays(year: y, month: m, day: d) + Int64(weeks * 7 + days)
            let fraction = date.timeIntervalSince1970 - TimeInterval(t)
            result = Date(timeIntervalSince1970: TimeInterval(zone.utc(forLocal: newDay * 86_400 + secondOfDay)) + fraction)
        }
        return result.addingTimeInterval(TimeInterval(hours * 3600 + minutes * 60) + seconds)
    }

    /// As a Swift `Duration`, for time-only durations (polling intervals, timeouts).
    public var duration: Duration { .seconds(approximateSeconds) }
}
