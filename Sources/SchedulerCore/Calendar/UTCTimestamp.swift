import Foundation

/// The exact timestamp strings the API and the journal use (`2025-03-31T23:59:59.000Z`),
/// formatted and parsed with integer calendar math: no `DateFormatter`, so it is fast
/// enough for million-line journal replays and identical on every platform.
public enum UTCTimestamp {
    /// `2025-03-31T23:59:59.000Z` (milliseconds, always UTC).
    public static func format(_ date: Date) -> String {
        format(milliseconds: milliseconds(of: date))
    }

    /// `date` in whole milliseconds since 1970, to the nearest: `Date` stores seconds as a
    /// binary double, so .123 may come back as .12299999…; rounding down would print (and
    /// journal, and serve) the wrong millisecond. Clamped to ±9e18 ms (±285 million years)
    /// so an absurd date converts instead of trapping.
    public static func milliseconds(of date: Date) -> Int64 {
        let rawMillis = (date.timeIntervalSince1970 * 1000).rounded()
        return rawMillis.isNaN ? 0 : Int64(min(max(rawMillis, -9e18), 9e18))
    }

    /// The instant `milliseconds` after 1970-01-01T00:00:00Z.
    public static func date(milliseconds: Int64) -> Date {
        Date(timeIntervalSince1970: Double(milliseconds) / 1000)
    }

    /// `format` of an instant in whole milliseconds since 1970.
    public static func format(milliseconds totalMillis: Int64) -> String {
        var millis = totalMillis % 1000
        var seconds = totalMillis / 1000
        if millis < 0 { millis += 1000; seconds -= 1 }
        return format(epochSeconds: seconds, millis: Int(millis), withMillis: true)
    }

    /// `parse` to the nearest whole millisecond since 1970 (finer fractions are rounded).
    public static func parseMilliseconds(_ text: String) -> Int64? {
        parse(text).map(milliseconds(of:))
    }

    /// The journal's `time` field: RFC 3339 in UTC with milliseconds (the same text as `format`).
    public static func formatRFC3339(_ date: Date) -> String { format(date) }

    static func format(epochSeconds: Int64, millis: Int, withMillis: Bool) -> String {
        var days = epochSeconds / 86_400
        var secondOfDay = epochSeconds % 86_400
        if secondOfDay < 0 { secondOfDay += 86_400; days -= 1 }
        let (y, m, d) = CivilDate.fromDays(days)
        let hh = Int(secondOfDay / 3600), mm = Int(secondOfDay % 3600 / 60), ss = Int(secondOfDay % 60)
        var out = pad(y, 4) + "-" + pad(m, 2) + "-" + pad(d, 2)
        out += "T" + pad(hh, 2) + ":" + pad(mm, 2) + ":" + pad(ss, 2)
        if withMillis { out += "." + pad(millis, 3) }
        return out + "Z"
    }

    private static func pad(_ value: Int, _ width: Int) -> String {
        let s = String(value)
        return s.count >= width ? s : String(repeating: "0", count: width - s.count) + s
    }

    /// The whole second that `text` names when it is exactly as `format` writes it
    /// (`2025-03-31T23:59:59.000Z`), else nil: such strings are kept as numbers and written
    /// back unchanged, anything else is kept as the text it is.
    public static func canonicalSeconds(_ text: String) -> Int64? {
        var text = text
        return text.withUTF8 { b -> Int64? in
            guard b.count == 24, b[4] == 45, b[7] == 45, b[10] == 84, b[13] == 58, b[16] == 58, b[19] == 46,
                  b[20] == 48, b[21] == 48, b[22] == 48, b[23] == 90
            else { return nil }
            func num(_ from: Int, _ len: Int) -> Int? { digits(b, from, len) }
            guard let y = num(0, 4), let mo = num(5, 2), let d = num(8, 2), let h = num(11, 2), let mi = num(14, 2), let s = num(17, 2),
                  (1...12).contains(mo), (1...CivilDate.daysInMonth(year: y, month: mo)).contains(d), h < 24, mi < 60, s < 60
            else { return nil }
            return CivilDate.toDays(year: y, month: mo, day: d) * 86_400 + Int64(h * 3600 + mi * 60 + s)
        }
    }

    /// `format` of a whole second since 1970.
    public static func format(epochSeconds: Int64) -> String {
        format(epochSeconds: epochSeconds, millis: 0, withMillis: true)
    }

    /// Parses RFC 3339 / ISO 8601 date-times: `2025-01-01T00:00:00Z`, `…00.000Z`,
    /// `…+02:00`. Returns nil for anything else.
    public static func parse(_ text: String) -> Date? {
        var text = text
        return text.withUTF8 { parse(bytes: $0) }
    }

    /// The decimal number in `len` ASCII digits of `b` from `from`; nil when one is not a digit
    /// or the bytes end first.
    static func digits(_ b: UnsafeBufferPointer<UInt8>, _ from: Int, _ len: Int) -> Int? {
        guard from + len <= b.count else { return nil }
        var v = 0
        for i in from..<(from + len) {
            let c = b[i]
            guard c >= 48, c <= 57 else { return nil }
            v = v * 10 + Int(c - 48)
        }
        return v
    }

    /// `parse` on UTF-8 bytes (the journal's fast path decodes without making Strings).
    public static func parse(bytes b: UnsafeBufferPointer<UInt8>) -> Date? {
        guard b.count >= 20 else { return nil }
        func num(_ from: Int, _ len: Int) -> Int? { digits(b, from, len) }
        guard let y = num(0, 4), b[4] == 45, let mo = num(5, 2), b[7] == 45, let d = num(8, 2),
              b[10] == 84 || b[10] == 116 || b[10] == 32,
              let h = num(11, 2), b[13] == 58, let mi = num(14, 2), b[16] == 58, let s = num(17, 2)
        else { return nil }
        guard (1...12).contains(mo), (1...CivilDate.daysInMonth(year: y, month: mo)).contains(d),
              h < 24, mi < 60, s < 61 else { return nil }
        var i = 19
        var fraction = 0.0
        if i < b.count, b[i] == 46 {
            i += 1
            var scale = 0.1
            let start = i
            while i < b.count, b[i] >= 48, b[i] <= 57 {
                fraction += Double(b[i] - 48) * scale
                scale /= 10
                i += 1
            }
            guard i > start else { return nil }
        }
        guard i < b.count else { return nil }
        var offset = 0
        if b[i] == 90 || b[i] == 122 {
            i += 1
        } else if b[i] == 43 || b[i] == 45 {
            let sign = b[i] == 45 ? -1 : 1
            guard let oh = num(i + 1, 2), i + 3 < b.count, b[i + 3] == 58, let om = num(i + 4, 2), oh < 24, om < 60 else { return nil }
            offset = sign * (oh * 3600 + om * 60)
            i += 6
        } else {
            return nil
        }
        guard i == b.count else { return nil }
        let days = CivilDate.toDays(year: y, month: mo, day: d)
        let epoch = Double(days * 86_400 + Int64(h * 3600 + mi * 60 + s) - Int64(offset)) + fraction
        return Date(timeIntervalSince1970: epoch)
    }
}

/// Proleptic Gregorian date arithmetic on (year, month, day), after Howard Hinnant's
/// `days_from_civil`: exact, allocation-free, and independent of time zones.
public enum CivilDate {
    public static func toDays(year: Int, month: Int, day: Int) -> Int64 {
        let y = Int64(month <= 2 ? year - 1 : year)
        let era = (y >= 0 ? y : y - 399) / 400
        let yoe = y - era * 400
        let m = Int64(month)
        let doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + Int64(day) - 1
        let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy
        return era * 146_097 + doe - 719_468
    }

    public static func fromDays(_ days: Int64) -> (year: Int, month: Int, day: Int) {
        let z = days + 719_468
        let era = (z >= 0 ? z : z - 146_096) / 146_097
        let doe = z - era * 146_097
        let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365
        let y = yoe + era * 400
        let doy = doe - (365 * yoe + yoe / 4 - yoe / 100)
        let mp = (5 * doy + 2) / 153
        let d = doy - (153 * mp + 2) / 5 + 1
        let m = mp < 10 ? mp + 3 : mp - 9
        return (Int(m <= 2 ? y + 1 : y), Int(m), Int(d))
    }

    public static func isLeapYear(_ year: Int) -> Bool {
        (year % 4 == 0 && year % 100 != 0) || year % 400 == 0
    }

    public static func daysInMonth(year: Int, month: Int) -> Int {
        switch month {
        case 2: return isLeapYear(year) ? 29 : 28
        case 4, 6, 9, 11: return 30
        default: return 31
        }
    }

    /// ISO weekday, Monday = 1 … Sunday = 7.
    public static func isoWeekday(days: Int64) -> Int {
        // 1970-01-01 was a Thursday (4).
        let w = (days + 3) % 7
        return Int(w < 0 ? w + 7 : w) + 1
    }
}
