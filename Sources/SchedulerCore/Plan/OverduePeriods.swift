import Foundation

/// Overdue periods (`AlertSettings.isOverdue`, counted by `OpenPeriods`): due (end plus `settle_delay`) longer ago than
/// `alerts.overdue_after` and still without a terminal event. A `failed`, `ambiguous` or
/// `skipped` period is not overdue: it has its own counter and alert, and waits for an
/// operator. A paused ledger's periods do become overdue (pausing is not completing).
///
/// Worked value: a monthly Berlin ledger with `settle_delay` PT6H and the default P1D.
/// March 2025 ends 2025-03-31T22:00Z, is due at 2025-04-01T04:00Z and overdue from
/// 2025-04-02T04:00Z on, unless it completed before.
/// Remembers which overdue periods were already logged, so each is logged once, and
/// again when it becomes overdue anew (retried after it failed, say). Constant size: a
/// catch-up after a long outage has every old period of every ledger overdue at once.
///
/// A period is newly overdue when it crossed its overdue instant since the last look, or
/// when it was taken up again since then (`reopened`); the first look logs them all.
///
///     var log = OverdueLog()
///     log.newlyOverdue([a, b], now: t1, overdueAt: f)   // [a, b]  -> log both (MESSAGE_ID overdue)
///     log.newlyOverdue([a, b], now: t2, overdueAt: f)   // []
///     log.reopened(a)                                   // a failed, then was retried
///     log.newlyOverdue([a, b], now: t3, overdueAt: f)   // [a]
public struct OverdueLog: Sendable {
    private var lastLook: Date?
    /// Starts (epoch seconds) of periods taken up again since the last look; usually empty.
    private var reopenedStarts: [Int64] = []

    public init() {}

    /// `period` was terminal and has a new line that opens it again.
    public mutating func reopened(_ periodStart: Int64) {
        if !reopenedStarts.contains(periodStart) { reopenedStarts.append(periodStart) }
    }

    /// The periods of `overdue` not logged yet, oldest first.
    public mutating func newlyOverdue(_ overdue: [Period], now: Date, overdueAt: (Period) -> Date) -> [Period] {
        defer {
            lastLook = now
            reopenedStarts = []
        }
        guard let lastLook else { return overdue.sorted { $0.start < $1.start } }
        return overdue.filter { p in
            overdueAt(p) > lastLook || reopenedStarts.contains(PeriodCalendar.epoch(p.start))
        }.sorted { $0.start < $1.start }
    }
}
