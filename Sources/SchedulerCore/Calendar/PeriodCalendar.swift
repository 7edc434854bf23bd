import Foundation

/// Calendar-aligned periods of one cadence in one time zone. Boundaries are local
/// midnights (or local hour starts for `hourly`), so a daily period on a DST day is 23 or
/// 25 hours long, and hourly periods follow absolute hours: no hour is repeated or lost
/// across a DST change.
public struct PeriodCalendar: Sendable {
    public let cadence: Cadence
    public let timeZone: TimeZone
    private let zone: ZoneClock

    public init(cadence: Cadence, timeZone: TimeZone) {
        self.cadence = cadence
        self.timeZone = timeZone
        self.zone = ZoneClock(timeZone: timeZone)
    }

    /// The period that contains `instant`.
    public func period(containing instant: Date) -> Period {
        let start = startOfPeriod(containing: Self.epoch(instant))
        return Period(start: Self.date(start), end: Self.date(nextStart(after: start)))
    }

    /// The first period that starts at or after `instant`.
    public func firstPeriod(startingAtOrAfter instant: Date) -> Period {
        let containing = period(containing: instant)
        return containing.start >= instant ? containing : following(containing)
    }

    /// The period right after `period`.
    public func following(_ period: Period) -> Period {
        let start = Self.epoch(period.end)
        return Period(start: period.end, end: Self.date(nextStart(after: start)))
    }

    /// Whether `instant` is exactly a period boundary.
    public func isBoundary(_ instant: Date) -> Bool {
        period(containing: instant).start == instant
    }

    // MARK: - Boundary math on UTC epoch seconds

    private func startOfPeriod(containing t: Int64) -> Int64 {
        let local = zone.local(t)
        if cadence == .hourly {
            let localHourStart = floorDiv(local, 3600) * 3600
            let candidate = t - (local - localHourStart)
            let offset = local - t
            if zone.offset(atUTC: candidate) == offset { return candidate }
            // The offset changed inside this local hour (a 30-minute DST shift, e.g.
            // Australia/Lord_Howe): the period starts at the change, so it contains `t`.
            var lo = candidate, hi = t
            while hi - lo > 1 {
                let mid = lo + (hi - lo) / 2
                if zone.offset(atUTC: mid) == offset { hi = mid } else { lo = mid }
            }
            return hi
        }
        let (y, m, d) = CivilDate.fromDays(floorDiv(local, 86_400))
        let days: Int64
        switch cadence {
        case .hourly:
            preconditionFailure("handled above")
        case .daily:
            days = CivilDate.toDays(year: y, month: m, day: d)
        case .weekly:
            let today = CivilDate.toDays(year: y, month: m, day: d)
            days = today - Int64(CivilDate.isoWeekday(days: today) - 1)
        case .monthly:
            days = CivilDate.toDays(year: y, month: m, day: 1)
        case .quarterly:
            days = CivilDate.toDays(year: y, month: (m - 1) / 3 * 3 + 1, day: 1)
        case .yearly:
            days = CivilDate.toDays(year: y, month: 1, day: 1)
        }
        let start = zone.utc(forLocal: days * 86_400)
        // A local midnight inside a DST gap starts the day at the end of the gap; if that
        // lies after `t` (t is in the previous day's tail), step back one period.
        return start <= t ? start : startOfPeriod(containing: start - 1)
    }

    private func nextStart(after start: Int64) -> Int64 {
        if cadence == .hourly {
            return startOfPeriod(containing: start + 3600)
        }
        let (y, m, d) = CivilDate.fromDays(floorDiv(zone.local(start), 86_400))
        let days: Int64
        switch cadence {
        case .hourly:
            preconditionFailure("handled above")
        case .daily:
            days = CivilDate.toDays(year: y, month: m, day: d) + 1
        case .weekly:
            days = CivilDate.toDays(year: y, month: m, day: d) + 7
        case .monthly:
            days = CivilDate.toDays(year: m == 12 ? y + 1 : y, month: m == 12 ? 1 : m + 1, day: 1)
        case .quarterly:
            let next = m + 3
            days = CivilDate.toDays(year: next > 12 ? y + 1 : y, month: next > 12 ? next - 12 : next, day: 1)
        case .yearly:
            days = CivilDate.toDays(year: y + 1, month: 1, day: 1)
        }
        return zone.utc(forLocal: days * 86_400)
    }

    static func epoch(_ date: Date) -> Int64 { Int64(date.timeIntervalSince1970.rounded(.down)) }
    static func date(_ epoch: Int64) -> Date { Date(timeIntervalSince1970: TimeInterval(epoch)) }
}

@inline(__always)
func floorDiv(_ a: Int64, _ b: Int64) -> Int64 {
    let q = a / b
    return (a % b != 0 && (a < 0) != (b < 0)) ? q - 1 : q
}
