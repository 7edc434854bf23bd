import Foundation

/// What `mangrove-scheduler plan` shows: per ledger, the closed periods not yet done,
/// what is in flight, and when the next period fires. Built from the schedule and the
/// replayed journal only; nothing is sent.
public struct PlanReport: Sendable, Encodable {
    public struct Row: Sendable, Encodable, Equatable {
        public var periodStart: String
        public var periodEnd: String
        /// `pending` (never fired), `in_flight`, `reconciling`, `retrying`, `not_fired`, `preview_empty`, `retry_requested`.
        public var status: String
        public var taskID: Int?
        public var lastError: String?

        enum CodingKeys: String, CodingKey {
            case periodStart = "period_start", periodEnd = "period_end", status
            case taskID = "task_id", lastError = "last_error"
        }
    }

    public struct Ledger: Sendable, Encodable {
        public var id: String
        public var cadence: String
        public var timeZone: String
        public var settleDelay: String
        public var due: [Row]
        /// How many due periods exist beyond the listed ones.
        public var dueNotListed: Int
        public var completed: Int
        public var failed: Int
        public var ambiguous: Int
        public var skipped: Int
        /// Completed periods whose batches were found on the API (not made by this daemon,
        /// or not in its journal): part of `completed`.
        public var foundOnAPI: Int
        public var nextPeriod: Row?
        public var nextFireTime: String?

        enum CodingKeys: String, CodingKey {
            case id, cadence, due, completed, failed, ambiguous, skipped
            case foundOnAPI = "found_on_api"
            case timeZone = "time_zone", settleDelay = "settle_delay", dueNotListed = "due_not_listed"
            case nextPeriod = "next_period", nextFireTime = "next_fire_time"
        }
    }

    public var at: String
    public var journalPath: String
    public var ledgers: [Ledger]

    enum CodingKeys: String, CodingKey {
        case at, ledgers
        case journalPath = "journal_path"
    }

    public static func make(schedule: Schedule, state: JournalState, now: Date, listLimit: Int = 20) -> PlanReport {
        var ledgers: [Ledger] = []
        for ledger in schedule.ledgers {
            let records = state.records(ledgerID: ledger.id)
            let planner = LedgerPlanner(ledger: ledger, records: records)
            let due = planner.duePeriods(records: records, now: now, limit: 1_000_000)
            let rows = due.prefix(listLimit).map { period in
                // A record of another span (cadence or time zone changed) is a conflict, not this period's outcome.
                guard let r = records[period.startTime], r.periodEnd != period.endTime else { return row(period, records[period.startTime]) }
                return Row(periodStart: period.startTime, periodEnd: period.endTime, status: "conflict",
                           lastError: "the journal has \(period.startTime)…\(r.periodEnd) (\(r.lastEvent.rawValue)) under another cadence or time zone; the ledger is held")
            }
            var next = planner.nextOpenPeriod(records: records)
            while ledger.dueInstant(of: next) <= now {
                next = ledger.calendar.following(next)
            }
            let count = { (e: JournalEvent) in records.values.filter { $0.lastEvent == e }.count }
            ledgers.append(Ledger(
                id: ledger.id, cadence: ledger.cadence.rawValue, timeZone: ledger.timeZone.identifier,
                settleDelay: ledger.settleDelay.text, due: Array(rows), dueNotListed: max(0, due.count - listLimit),
                completed: count(.completed), failed: count(.failed), ambiguous: count(.ambiguous), skipped: count(.skipped),
                foundOnAPI: records.values.filter { $0.lastEvent == .completed && $0.detail?.hasPrefix(PeriodRun.foundDetailPrefix) == true }.count,
                nextPeriod: row(next, nil), nextFireTime: UTCTimestamp.format(ledger.dueInstant(of: next))))
        }
        return PlanReport(at: UTCTimestamp.format(now), journalPath: schedule.journalPath, ledgers: ledgers)
    }

    static func row(_ period: Period, _ record: PeriodRecord?) -> Row {
        let status: String
        switch record?.lastEvent {
        case nil: status = "pending"
        case .intent, .fired, .progress: status = "in_flight"
        case .reconciling: status = "reconciling"
        case .taskFailed: status = "retrying"
        case .notFired: status = "not_fired"
        case .previewEmpty: status = "preview_empty"
        case .retryRequested: status = "retry_requested"
        case .held: status = record!.detail == PeriodRun.conflictDetail ? "conflict" : "held"
        case .completed, .failed, .skipped, .ambiguous: status = record!.lastEvent.rawValue
        }
        return Row(periodStart: period.startTime, periodEnd: period.endTime, status: status, taskID: record?.taskID, lastError: record?.lastError)
    }

    /// The human table.
    public func text() -> String {
        var out = "plan at \(at) (journal \(journalPath))\n"
        for l in ledgers {
            out += "\n\(l.id)  \(l.cadence) in \(l.timeZone), settle \(l.settleDelay)\n"
            let found = l.foundOnAPI > 0 ? " (\(l.foundOnAPI) found on the API)" : ""
            out += "  done: \(l.completed) completed\(found), \(l.failed) failed, \(l.ambiguous) ambiguous, \(l.skipped) skipped\n"
            if l.due.isEmpty {
                out += "  due now: nothing\n"
            } else {
                out += "  due now (\(l.due.count + l.dueNotListed), oldest first):\n"
                for r in l.due {
                    var line = "    \(r.periodStart) … \(r.periodEnd)  \(r.status)"
                    if let t = r.taskID { line += "  task \(t)" }
                    if let e = r.lastError { line += "  (\(e))" }
                    out += line + "\n"
                }
                if l.dueNotListed > 0 { out += "    … and \(l.dueNotListed) more\n" }
            }
            if let n = l.nextPeriod, let f = l.nextFireTime {
                out += "  next: \(n.periodStart) … \(n.periodEnd) fires at \(f)\n"
            }
        }
        return out
    }
}
