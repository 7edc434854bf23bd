import Foundation

/// Periods and instants as an operator reads them: in the ledger's own time zone.
/// UTC strings stay in `--json` and the journal.
///
/// | cadence   | period label (Europe/Berlin)   |
/// |-----------|--------------------------------|
/// | yearly    | `2025`                         |
/// | quarterly | `2025-Q1`                      |
/// | monthly   | `2025-03`                      |
/// | weekly    | `2025-03-03–2025-03-09`        |
/// | daily     | `2025-03-01`                   |
/// | hourly    | `2025-03-30 01:00–03:00`       | (a DST day: the hour 01:00–02:00 CET ends at 03:00 CEST)
public enum LocalTime {
    /// `UTC` for the default zone (Foundation calls it `GMT`), else the IANA name.
    public static func zoneName(_ zone: TimeZone) -> String {
        ["GMT", "UTC", "Etc/UTC", "Etc/GMT", "Universal", "Zulu"].contains(zone.identifier) ? "UTC" : zone.identifier
    }

    /// The period as the ledger's cadence names it, in its zone.
    public static func period(_ period: Period, cadence: Cadence, in zone: TimeZone) -> String {
        let s = parts(period.start, zone)
        switch cadence {
        case .yearly: return "\(s.year)"
        case .quarterly: return "\(s.year)-Q\((s.month - 1) / 3 + 1)"
        case .monthly: return "\(s.year)-\(two(s.month))"
        case .daily: return date(s)
        case .weekly: return "\(date(s))–\(date(parts(period.end.addingTimeInterval(-1), zone)))"
        case .hourly:
            let e = parts(period.end, zone)
            let end = e.day == s.day ? "\(two(e.hour)):\(two(e.minute))" : "\(date(e)) \(two(e.hour)):\(two(e.minute))"
            return "\(date(s)) \(two(s.hour)):\(two(s.minute))–\(end)"
        }
    }

    /// A period given by its journal strings; the UTC strings when they do not parse.
    public static func period(start: String, end: String, cadence: Cadence, in zone: TimeZone) -> String {
        guard let s = UTCTimestamp.parse(start), let e = UTCTimestamp.parse(end) else { return "\(start) … \(end)" }
        let aligned = PeriodCalendar(cadence: cadence, timeZone: zone).period(containing: s)
        if aligned.start == s, aligned.endTime == end { return period(aligned, cadence: cadence, in: zone) }
        // Another cadence's span (the schedule changed): both ends, to the minute.
        return "\(instant(s, in: zone, withZone: false))–\(instant(e.addingTimeInterval(1), in: zone, withZone: false))"
    }

    /// `2025-04-01 06:00 Europe/Berlin`.
    public static func instant(_ date: Date, in zone: TimeZone, withZone: Bool = true) -> String {
        let p = parts(date, zone)
        let text = "\(self.date(p)) \(two(p.hour)):\(two(p.minute))"
        return withZone ? "\(text) \(zoneName(zone))" : text
    }

    struct Parts { var year, month, day, hour, minute: Int }

    static func parts(_ date: Date, _ zone: TimeZone) -> Parts {
        var calendar = Calendar(identifier: .gregorian)
        calendar.timeZone = zone
        let c = calendar.dateComponents([.year, .month, .day, .hour, .minute], from: date)
        return Parts(year: c.year ?? 0, month: c.month ?? 0, day: c.day ?? 0, hour: c.hour ?? 0, minute: c.minute ?? 0)
    }

    static func date(_ p: Parts) -> String { "\(p.year)-\(two(p.month))-\(two(p.day))" }
    static func two(_ n: Int) -> String { n < 10 ? "0\(n)" : "\(n)" }
}
