import Foundation
import Synchronization

/// What planning asks of a calendar again and again, remembered per calendar (cadence and
/// zone) and shared by every ledger on it: which period follows a period start, the journal
/// strings of a period, and whether a journal record's span is a period of the calendar.
/// The answers are the calendar's own (`PeriodCalendar`), computed on the first question;
/// 10,000 monthly ledgers in one zone ask ICU about each month once instead of 10,000
/// times. Bounded: a calendar's table is dropped when it grows past `limit` entries.
final class PeriodCalendarCache: Sendable {
    static let shared = PeriodCalendarCache()
    static let limit = 100_000

    struct Table {
        /// Period start (epoch seconds) → the next period's start.
        var following: [Int64: Int64] = [:]
        /// Period start (epoch seconds) → its end and its `period_start` and `period_end` strings.
        var strings: [Int64: (end: Date, start: String, endTime: String)] = [:]
        /// `period_start` string → the `period_end` of the calendar's period starting there
        /// ("" when no period starts there; nil when the string is not a timestamp).
        var alignedEnd: [String: String?] = [:]

        var count: Int { following.count + strings.count + alignedEnd.count }
    }

    private let tables = Mutex<[String: Table]>([:])

    /// Runs `body` with the table of `calendar`, under the cache's lock.
    func with<R>(_ calendar: PeriodCalendar, _ body: (inout Table) -> R) -> R {
        let key = "\(calendar.cadence.rawValue) \(calendar.timeZone.identifier)"
        return tables.withLock { tables in
            if (tables[key]?.count ?? 0) > Self.limit { tables[key] = nil }
            return body(&tables[key, default: Table()])
        }
    }
}

extension PeriodCalendarCache.Table {
    mutating func following(_ period: Period, _ calendar: PeriodCalendar) -> Period {
        let start = PeriodCalendar.epoch(period.end)
        if let next = following[start] { return Period(start: period.end, end: PeriodCalendar.date(next)) }
        let p = calendar.following(period)
        following[start] = PeriodCalendar.epoch(p.end)
        return p
    }

    mutating func strings(_ period: Period) -> (start: String, end: String) {
        let key = PeriodCalendar.epoch(period.start)
        if let s = strings[key], s.end == period.end, PeriodCalendar.date(key) == period.start { return (s.start, s.endTime) }
        let s = (period.startTime, period.endTime)
        if PeriodCalendar.date(key) == period.start { strings[key] = (period.end, s.0, s.1) }
        return s
    }

    mutating func alignedEnd(_ start: String, _ calendar: PeriodCalendar) -> String? {
        if let cached = alignedEnd[start] { return cached }
        var result: String?
        if let s = UTCTimestamp.parse(start) {
            let aligned = calendar.period(containing: s)
            result = aligned.start == s ? aligned.endTime : ""
        }
        alignedEnd[start] = result
        return result
    }
}
