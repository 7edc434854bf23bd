import Foundation

/// Overdue periods (`AlertSettings.isOverdue`, counted by `OpenPeriods`): due (end plus `settle_delay`) longer ago than
/// `alerts.overdue_after` and still without a terminal event. A `failed`, `ambiguous` or
/// `skipped` period is not overdue: it has its own counter and alert, and waits for an
/// operator. A paused ledger's periods do become overdue (pausing is not completing).
///
/// Worked value: a monthly Berlin ledger with `settle_delay` PT6H and the default P1D.
/// March 2025 ends 2025-03-31T22:00Z, is due at 2025-04-01T04:00Z and overdue from
/// 2025-04-02T04:00Z on, unless it completed before.
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
