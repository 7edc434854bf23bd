import Foundation

/// Where one ledger stands at `now`, from the schedule, the journal and the pauses: the
/// numbers behind the metrics' per-ledger gauges, `STATUS=` and `plan`. Pure.
///
/// Cost: one step per period from the ledger's oldest open period to `now`, plus one pass
/// over its records; call it on status updates, not per event.
public struct LedgerStatus: Sendable, Equatable {
    public var ledgerID: String
    /// Due, not done, and not in flight (never fired, waiting to fire again, held, …).
    public var dueNotDone: Int
    /// POSTed (or about to be), polled or reconciling.
    public var inFlight: Int
    /// Not completed `alerts.overdue_after` after becoming due.
    public var overdue: Int
    /// The `detail` of the `held` line of the oldest open period, when it is held.
    public var heldDetail: String?
    public var paused: LedgerPause?
    /// The end (next period's start) of the newest completed period.
    public var lastCompletedEnd: Date?

    /// `heldDetail` of a ledger the API refused (404, no model, 401) and that waits with backoff.
    public static let unavailableDetail = "unavailable"

    public init(
        ledgerID: String, dueNotDone: Int, inFlight: Int, overdue: Int, heldDetail: String?, paused: LedgerPause?, lastCompletedEnd: Date?
    ) {
        self.ledgerID = ledgerID
        self.dueNotDone = dueNotDone
        self.inFlight = inFlight
        self.overdue = overdue
        self.heldDetail = heldDetail
        self.paused = paused
        self.lastCompletedEnd = lastCompletedEnd
    }

    public static func of(
        ledger: LedgerSchedule, records: LedgerRecords, pause: LedgerPause?, now: Date, overdueAfter: Duration
    ) -> LedgerStatus {
        let planner = LedgerPlanner(ledger: ledger, records: records)
        let open = planner.openPeriods(records: records, from: planner.nextOpenPeriod(records: records), now: now)
        let s = open.standing(records: records, now: now, alerts: AlertSettings(overdueAfter: overdueAfter))
        // In-flight periods of another span (after a cadence change) still count.
        let offGrid = records.others.values.filter { r in r.isInFlight && !isAligned(r, ledger) }.count
        return LedgerStatus(
            ledgerID: ledger.id, dueNotDone: s.due, inFlight: s.inFlight + offGrid, overdue: s.overdue,
            heldDetail: s.heldDetail, paused: pause, lastCompletedEnd: records.newestCompletedEnd.flatMap(periodEnd))
    }

    /// A `period_end` (the period's last second) as the end instant (the next period's start).
    public static func periodEnd(_ text: String) -> Date? {
        UTCTimestamp.parse(text)?.addingTimeInterval(1)
    }

    private static func isAligned(_ r: PeriodRecord, _ ledger: LedgerSchedule) -> Bool {
        guard let end = UTCTimestamp.parse(r.periodEnd) else { return false }
        return ledger.calendar.period(containing: end).endTime == r.periodEnd
    }

    /// Every ledger of the schedule, in schedule order.
    public static func all(schedule: Schedule, state: JournalState, controls: LedgerControlState, now: Date) -> [LedgerStatus] {
        schedule.ledgers.map {
            of(ledger: $0, records: state.records(ledgerID: $0.id), pause: controls.pause(of: $0.id), now: now,
               overdueAfter: schedule.alerts.overdueAfter)
        }
    }
}
