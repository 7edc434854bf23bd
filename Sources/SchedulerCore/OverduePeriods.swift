import Foundation

/// Which periods are overdue: due (end plus `settle_delay`) longer ago than
/// `alerts.overdue_after` and still without a terminal event. A `failed`, `ambiguous` or
/// `skipped` period is not overdue: it has its own counter and alert, and waits for an
/// operator. A paused ledger's periods do become overdue (pausing is not completing).
///
/// Worked value: a monthly Berlin ledger with `settle_delay` PT6H and the default P1D.
/// March 2025 ends 2025-03-31T22:00Z, is due at 2025-04-01T04:00Z and overdue from
/// 2025-04-02T04:00Z on, unless it completed before.
public enum OverduePeriods {
    /// The overdue periods of one ledger, oldest first, at most `limit`.
    /// Cheap: it starts at the ledger's oldest open period (one step per terminal record).
    public static func periods(
        ledger: LedgerSchedule, records: [String: PeriodRecord], now: Date, overdueAfter: Duration, limit: Int = 10_000
    ) -> [Period] {
        let cutoff = now.addingTimeInterval(-overdueAfter.seconds)
        let planner = LedgerPlanner(ledger: ledger, records: records)
        var result: [Period] = []
        var period = planner.nextOpenPeriod(records: records)
        while result.count < limit, ledger.dueInstant(of: period) <= cutoff {
            if !(records[period.startTime].map { $0.periodEnd == period.endTime && $0.isTerminal } ?? false) {
                result.append(period)
            }
            period = ledger.calendar.following(period)
        }
        return result
    }

    /// Overdue periods per ledger of the schedule (ledgers with none are absent).
    public static func byLedger(schedule: Schedule, state: JournalState, now: Date, limit: Int = 10_000) -> [String: [Period]] {
        var result: [String: [Period]] = [:]
        for ledger in schedule.ledgers {
            let overdue = periods(
                ledger: ledger, records: state.records(ledgerID: ledger.id), now: now,
                overdueAfter: schedule.alerts.overdueAfter, limit: limit)
            if !overdue.isEmpty { result[ledger.id] = overdue }
        }
        return result
    }
}

/// Remembers which overdue periods were already logged, so each is logged once per run.
///
///     var log = OverdueLog()
///     log.newlyOverdue([a, b])   // [a, b]  -> log both at warning (MESSAGE_ID overdue)
///     log.newlyOverdue([a, b])   // []
///     log.newlyOverdue([b])      // []      (a completed; forgotten)
///     log.newlyOverdue([a, b])   // [a]     (a is overdue again, e.g. after a retry failed)
public struct OverdueLog: Sendable {
    private var logged: Set<PeriodKey> = []

    public init() {}

    /// The keys of `overdue` not logged yet; forgets keys no longer overdue.
    public mutating func newlyOverdue(_ overdue: some Collection<PeriodKey>) -> [PeriodKey] {
        let now = Set(overdue)
        let fresh = now.subtracting(logged).sorted()
        logged = now
        return fresh
    }
}
