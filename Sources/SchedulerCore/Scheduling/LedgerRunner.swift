import Foundation

/// The scheduler's working state for one ledger: which period comes next, the period run
/// in progress (at most one per ledger: later batches depend on earlier balances), and
/// what it is waiting for.
struct LedgerRunner: Sendable {
    enum Pending: Sendable, Equatable {
        case preview
        case post
        case poll(Int)
        case checkBatches
    }

    /// The ledger as scheduled (held once, by the planner).
    var ledger: LedgerSchedule { planner.ledger }
    var planner: LedgerPlanner
    /// The oldest period not yet started (meaningful when `run` is nil).
    var cursor: Period
    @Boxed var run: PeriodRun? = nil
    /// What the active run does when its wake-up arrives.
    var pending: Pending?
    var pendingAt: Date?
    /// A network call is out; its result will arrive as an event.
    var busy = false
    /// The active run's task stopped giving usable poll answers and gave up its
    /// `max_in_flight` slot (`PeriodRun.Action.releaseSlot`).
    var detached = false
    var heldUntil: Date?
    /// Consecutive holds (API refused or unreachable) of this ledger, for the escalating backoff.
    var holds = 0
    /// Removed from the schedule by a reload: finish the active run, start nothing new.
    var removed = false
    /// A retried period earlier than `cursor` to revisit when the active run finishes.
    var retryFloor: Period?
    /// Schedule change that waits for the active run to finish.
    @Boxed var replacement: LedgerSchedule? = nil
    /// The `intent` line of the POST about to be sent. It is journaled at the moment the
    /// POST is spawned, so a stop while the POST waits (rate limit, shutdown) leaves no
    /// `intent` behind and the period is simply fired after the restart.
    @Boxed var pendingIntent: JournalEntry? = nil

    /// The cursor is a period found in flight in the journal (resumed first, even when the
    /// schedule's cadence, time zone or first_period_start no longer produce it).
    var resumesInFlight = false
    /// The last listing of the ledger's batches. Every POST needs one that is fresh and
    /// newer than the period's last POST (`LookBeforeFire`); one listing clears the
    /// periods of a whole catch-up run while it stays fresh.
    @Boxed var listing: LedgerBatches? = nil

    init(ledger: LedgerSchedule, records: LedgerRecords) {
        self.planner = LedgerPlanner(ledger: ledger, records: records)
        if let (start, record) = records.others.filter({ $0.value.isInFlight }).min(by: { $0.key < $1.key }),
           let s = UTCTimestamp.parse(start), let lastSecond = UTCTimestamp.parse(record.periodEnd) {
            // A generation may exist on the server: follow it to its end before anything else.
            self.cursor = Period(start: s, end: lastSecond.addingTimeInterval(1))
            self.resumesInFlight = true
        } else {
            self.cursor = planner.nextOpenPeriod(records: records)
        }
    }

    /// When this runner next needs the loop's attention on the timeline (nil: waiting on
    /// an event, or nothing to do). `wallOffset` is wall clock minus timeline: the cursor's
    /// due time is a wall-clock instant.
    func wakeAt(wallOffset: TimeInterval) -> Date? {
        if busy { return nil }
        if run != nil { return pendingAt }
        if removed { return nil }
        let due = ledger.dueInstant(of: cursor).addingTimeInterval(-wallOffset)
        if let heldUntil, heldUntil > due { return heldUntil }
        return due
    }
}
