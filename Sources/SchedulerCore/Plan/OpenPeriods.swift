import Foundation

extension AlertSettings {
    /// The one overdue rule: a period not completed `overdue_after` after it became due.
    public func isOverdue(dueAt: Date, now: Date) -> Bool {
        dueAt.addingTimeInterval(overdueAfter.seconds) <= now
    }

    /// When a period due at `dueAt` becomes overdue.
    public func overdueAt(dueAt: Date) -> Date {
        dueAt.addingTimeInterval(overdueAfter.seconds)
    }
}

/// A ledger's open periods (due and without a terminal event) from a starting period up
/// to a moment, walked once along the calendar (`LedgerPlanner.openPeriods`), then
/// classified by reading their records only. `LedgerStatus`, `plan`, and the scheduler's per-ledger
/// standing all count through it, so "due", "in flight" and "overdue" mean one thing.
public struct OpenPeriods: Sendable {
    /// 24 bytes: a catch-up holds one per due period of every ledger.
    public struct Entry: Sendable {
        public var period: Period
        public var dueAt: Date
    }

    public private(set) var entries: [Entry]
    /// When the next period falls due: the list is complete until then.
    public let validUntil: Date?

    init(entries: [Entry], validUntil: Date?) {
        self.entries = entries
        self.validUntil = validUntil
    }

    /// How the open periods stand by their records now.
    public struct Standing: Sendable, Equatable {
        /// Not terminal and not in flight.
        public var due = 0
        /// POSTed (or about to be), polled or reconciling.
        public var inFlight = 0
        public var overdue = 0
        /// The overdue periods, oldest first (at most `overdueListLimit`).
        public var overduePeriods: [Period] = []
        /// When the oldest open period not yet overdue becomes overdue.
        public var nextOverdueAt: Date?
        /// The `detail` of the `held` line of the oldest held open period.
        public var heldDetail: String?

        public static func == (a: Standing, b: Standing) -> Bool {
            a.due == b.due && a.inFlight == b.inFlight && a.overdue == b.overdue && a.nextOverdueAt == b.nextOverdueAt
                && a.heldDetail == b.heldDetail && a.overduePeriods.map(\.start) == b.overduePeriods.map(\.start)
        }
    }

    public static let overdueListLimit = 1_000

    /// Classifies the open periods by their records (some may have ended since the walk).
    public func standing(records: LedgerRecords, now: Date, alerts: AlertSettings) -> Standing {
        var s = Standing()
        for e in entries where !records.isDone(e.period) {
            // Not done: a record, if any, is one the ledger keeps in full.
            let r = records.keptRecord(of: e.period)
            if r?.isInFlight == true { s.inFlight += 1 } else { s.due += 1 }
            if s.heldDetail == nil, r?.lastEvent == .held { s.heldDetail = r?.detail ?? "held" }
            if alerts.isOverdue(dueAt: e.dueAt, now: now) {
                s.overdue += 1
                if s.overduePeriods.count < Self.overdueListLimit { s.overduePeriods.append(e.period) }
            } else if s.nextOverdueAt == nil {
                s.nextOverdueAt = alerts.overdueAt(dueAt: e.dueAt)
            }
        }
        return s
    }
}
