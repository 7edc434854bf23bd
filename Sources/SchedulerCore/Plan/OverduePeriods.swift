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
    /// Starts (epoch seconds) of the periods logged, sorted: 8 bytes a period, since a
    /// catch-up after a long outage has every old period of every ledger overdue at once.
    private var logged: [Int64] = []

    public init() {}

    /// The periods of `overdue` not logged yet, oldest first; forgets periods no longer overdue.
    public mutating func newlyOverdue(_ overdue: [Period]) -> [Period] {
        let now = overdue.map { PeriodCalendar.epoch($0.start) }
        let before = logged
        var fresh: [Period] = []
        for (i, start) in now.enumerated() where !Self.contains(before, start) { fresh.append(overdue[i]) }
        logged = now.sorted()
        return fresh.sorted { $0.start < $1.start }
    }

    private static func contains(_ sorted: [Int64], _ value: Int64) -> Bool {
        var lo = 0, hi = sorted.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if sorted[mid] < value { lo = mid + 1 } else { hi = mid }
        }
        return lo < sorted.count && sorted[lo] == value
    }
}
