import Foundation

/// Decides which period of a ledger comes next and when it is due, from the schedule
/// and the journal's records. Periods are taken oldest first; a period with a terminal
/// record is done, anything else (no record, pending, in flight) is open.
public struct LedgerPlanner: Sendable {
    /// One reference instead of the schedule and the list inline: a ledger's runner, which
    /// holds a planner, is copied on every scheduling event.
    private final class Storage: Sendable {
        let ledger: LedgerSchedule
        /// Records whose span is not a period of the current cadence (the schedule's cadence or
        /// time zone changed): a new period overlapping one of them is never fired.
        let foreign: [(start: Date, end: Date, periodStart: String, event: JournalEvent)]

        init(ledger: LedgerSchedule, foreign: [(start: Date, end: Date, periodStart: String, event: JournalEvent)]) {
            self.ledger = ledger
            self.foreign = foreign
        }
    }

    private let storage: Storage
    public var ledger: LedgerSchedule { storage.ledger }
    private var foreign: [(start: Date, end: Date, periodStart: String, event: JournalEvent)] { storage.foreign }

    public init(ledger: LedgerSchedule, records: LedgerRecords) {
        let calendar = ledger.calendar
        var foreign: [(Date, Date, String, JournalEvent)] = []
        PeriodCalendarCache.shared.with(calendar) { table in
            // Completed periods folded into runs: walked along the calendar, which asks
            // ICU once per run and then follows the shared table.
            var expected: Period?
            records.forEachCompleted { s, e in
                let start = PeriodCalendar.date(s), end = PeriodCalendar.date(e)
                let p = expected?.start == start ? expected! : calendar.period(containing: start)
                if p.start == start, p.end == end {
                    expected = table.following(p, calendar)
                } else {
                    foreign.append((start, end, UTCTimestamp.format(epochSeconds: s), .completed))
                    expected = nil
                }
            }
            for (start, record) in records.others {
                // nil: the start is no timestamp; "": no period of the calendar starts there.
                guard let alignedEnd = table.alignedEnd(start, calendar), alignedEnd != record.periodEnd,
                      let s = UTCTimestamp.parse(start), let e = UTCTimestamp.parse(record.periodEnd)
                else { continue }
                foreign.append((s, e.addingTimeInterval(1), start, record.lastEvent))
            }
        }
        self.storage = Storage(ledger: ledger, foreign: foreign.sorted { ($0.0, $0.2) < ($1.0, $1.2) })
    }

    /// The oldest open period at or after `from` (default: the ledger's first period).
    /// Bounded: it skips at most one period per terminal record.
    public func nextOpenPeriod(records: LedgerRecords, from: Period? = nil) -> Period {
        let first = ledger.firstPeriod
        var period = from ?? first
        if period.start < first.start { period = first }
        let calendar = ledger.calendar
        return PeriodCalendarCache.shared.with(calendar) { table in
            var guardCount = 0
            while isDone(period, records, &table), guardCount <= records.count {
                period = table.following(period, calendar)
                guardCount += 1
            }
            return period
        }
    }

    /// Open periods that are due at `now`, oldest first, at most `limit` of them.
    public func duePeriods(records: LedgerRecords, now: Date, limit: Int = 10_000) -> [Period] {
        openPeriods(records: records, from: ledger.firstPeriod, now: now, limit: limit).entries.map(\.period)
    }

    /// The open periods from `start` whose due instant is at or before `now`, at most
    /// `limit` of them, and when the next period falls due.
    public func openPeriods(records: LedgerRecords, from start: Period, now: Date, limit: Int = 100_000) -> OpenPeriods {
        var period = start.start < ledger.firstPeriod.start ? ledger.firstPeriod : start
        let calendar = ledger.calendar
        return PeriodCalendarCache.shared.with(calendar) { table in
            var entries: [OpenPeriods.Entry] = []
            func shrunk(_ entries: [OpenPeriods.Entry]) -> [OpenPeriods.Entry] {
                entries.capacity > entries.count + entries.count / 4 + 4 ? Array(entries) : entries
            }
            while entries.count < limit {
                let dueAt = ledger.dueInstant(of: period)
                if dueAt > now { return OpenPeriods(entries: shrunk(entries), validUntil: dueAt) }
                if !isDone(period, records, &table) {
                    entries.append(OpenPeriods.Entry(period: period, dueAt: dueAt))
                }
                period = table.following(period, calendar)
            }
            return OpenPeriods(entries: shrunk(entries), validUntil: nil)
        }
    }

    /// A record is this period's only when it spans the same period: after a cadence change
    /// an old record can share the start string (monthly January vs quarterly Q1) and must
    /// not make the new period look done.
    private func isDone(_ period: Period, _ records: LedgerRecords, _ table: inout PeriodCalendarCache.Table) -> Bool {
        if records.isEmpty { return false }
        let (start, end) = table.strings(period)
        return records.isDone(
            start: start, end: end, startSeconds: PeriodCalendar.epoch(period.start), endSeconds: PeriodCalendar.epoch(period.end))
    }

    /// A journal record under a different cadence that overlaps `period`, if any.
    public func conflict(for period: Period) -> (periodStart: String, event: JournalEvent)? {
        for f in foreign where f.start < period.end && period.start < f.end && f.event != .skipped && f.event != .notFired {
            return (f.periodStart, f.event)
        }
        return nil
    }
}
