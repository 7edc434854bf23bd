import Foundation

/// What `mangrove-scheduler plan` shows: per ledger (in schedule order), the closed periods
/// not yet done, what is in flight, whether it is paused, and when the next period fires.
/// Built from the schedule, the replayed journal and the ledger controls only; nothing is
/// sent. The text shows periods in the ledger's time zone; `--json` keeps the UTC strings.
public struct PlanReport: Sendable, Encodable {
    public struct Row: Sendable, Encodable, Equatable {
        public var periodStart: String
        public var periodEnd: String
        /// The period in the ledger's zone (`2025-03`, `2025-03-01 13:00–14:00`).
        public var local: String
        /// A `PeriodStateName`: `pending`, `in_flight`, `reconciling`, `retrying`, `not_fired`,
        /// `preview_empty`, `retry_requested`, `held`, `conflict`.
        public var status: String
        public var taskID: Int?
        public var attempts: Int
        public var overdue: Bool
        public var lastError: String?

        enum CodingKeys: String, CodingKey {
            case periodStart = "period_start", periodEnd = "period_end", status, local, attempts, overdue
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
        public var inFlight: Int
        public var overdue: Int
        public var completed: Int
        public var failed: Int
        public var ambiguous: Int
        public var skipped: Int
        /// Completed periods whose batches were found on the API (not made by this daemon,
        /// or not in its journal): part of `completed`.
        public var foundOnAPI: Int
        /// Completed after a POST of unknown outcome, by finding its batches: part of `completed`.
        public var reconciled: Int
        public var paused: LedgerPause?
        public var nextPeriod: Row?
        public var nextFireTime: String?
        /// `nextFireTime` in the ledger's zone.
        public var nextFireLocal: String?

        enum CodingKeys: String, CodingKey {
            case id, cadence, due, completed, failed, ambiguous, skipped, paused, overdue, reconciled
            case foundOnAPI = "found_on_api", inFlight = "in_flight"
            case timeZone = "time_zone", settleDelay = "settle_delay", dueNotListed = "due_not_listed"
            case nextPeriod = "next_period", nextFireTime = "next_fire_time", nextFireLocal = "next_fire_local"
        }
    }

    public var at: String
    public var journalPath: String
    public var ledgers: [Ledger]

    enum CodingKeys: String, CodingKey {
        case at, ledgers
        case journalPath = "journal_path"
    }

    public static func make(
        schedule: Schedule, state: JournalState, controls: LedgerControlState = LedgerControlState(), now: Date, listLimit: Int = 20
    ) -> PlanReport {
        var ledgers: [Ledger] = []
        for ledger in schedule.ledgers {
            let records = state.records(ledgerID: ledger.id)
            let planner = LedgerPlanner(ledger: ledger, records: records)
            let due = planner.duePeriods(records: records, now: now, limit: 1_000_000)
            let rows = due.prefix(listLimit).map { period in
                var r = row(period, records[period.startTime], ledger: ledger)
                r.overdue = schedule.alerts.isOverdue(dueAt: ledger.dueInstant(of: period), now: now)
                // A record of another span (cadence or time zone changed) is a conflict, not this period's outcome.
                if let other = records[period.startTime], other.periodEnd != period.endTime {
                    r = Row(periodStart: period.startTime, periodEnd: period.endTime, local: r.local, status: "conflict",
                            attempts: 0, overdue: r.overdue,
                            lastError: "the journal has \(period.startTime)…\(other.periodEnd) (\(PeriodStateName.of(other))) under another cadence or time zone; the ledger is held")
                }
                return r
            }
            var next = planner.nextOpenPeriod(records: records)
            while ledger.dueInstant(of: next) <= now {
                next = ledger.calendar.following(next)
            }
            let count = { (e: JournalEvent) in
                records.others.values.filter { $0.lastEvent == e }.count + (e == .completed ? records.plainlyCompleted : 0)
            }
            let completions = records.others.values.compactMap(PeriodStateName.completion)
            let inFlight = due.filter { records[$0.startTime]?.isInFlight == true }.count
            ledgers.append(Ledger(
                id: ledger.id, cadence: ledger.cadence.rawValue, timeZone: LocalTime.zoneName(ledger.timeZone),
                settleDelay: ledger.settleDelay.text, due: Array(rows), dueNotListed: max(0, due.count - listLimit),
                inFlight: inFlight, overdue: due.filter { schedule.alerts.isOverdue(dueAt: ledger.dueInstant(of: $0), now: now) }.count,
                completed: count(.completed), failed: count(.failed), ambiguous: count(.ambiguous), skipped: count(.skipped),
                foundOnAPI: completions.filter { $0 == "found_on_api" }.count,
                reconciled: completions.filter { $0 == "reconciled" }.count,
                paused: controls.pause(of: ledger.id),
                nextPeriod: row(next, nil, ledger: ledger), nextFireTime: UTCTimestamp.format(ledger.dueInstant(of: next)),
                nextFireLocal: LocalTime.instant(ledger.dueInstant(of: next), in: ledger.timeZone)))
        }
        return PlanReport(at: UTCTimestamp.format(now), journalPath: schedule.journalPath, ledgers: ledgers)
    }

    static func row(_ period: Period, _ record: PeriodRecord?, ledger: LedgerSchedule) -> Row {
        Row(periodStart: period.startTime, periodEnd: period.endTime,
            local: LocalTime.period(period, cadence: ledger.cadence, in: ledger.timeZone),
            status: PeriodStateName.of(record), taskID: record?.taskID, attempts: record?.attempts ?? 0, overdue: false,
            lastError: record?.lastError)
    }

    /// The human text: periods in each ledger's zone, aligned columns.
    public func text() -> String {
        let atText = UTCTimestamp.parse(at).map { LocalTime.instant($0, in: TimeZone(identifier: "UTC")!) } ?? at
        var out = "plan at \(atText) (journal \(journalPath)); \(Plural.count(ledgers.count, "ledger"))\n"
        for l in ledgers {
            out += "\n\(l.id)  \(Plural.article(l.cadence)) \(l.cadence) ledger in \(l.timeZone), settle \(l.settleDelay)\n"
            if let p = l.paused {
                out += "  PAUSED since \(Self.local(p.since, l.timeZone)) by \(p.by): \(p.note)\n"
            }
            var marks: [String] = []
            if l.foundOnAPI > 0 { marks.append("\(l.foundOnAPI) found on the API") }
            if l.reconciled > 0 { marks.append("\(l.reconciled) reconciled") }
            let found = marks.isEmpty ? "" : " (\(marks.joined(separator: ", ")))"
            out += "  done: \(l.completed) completed\(found), \(l.failed) failed, \(l.ambiguous) ambiguous, \(l.skipped) skipped\n"
            if l.due.isEmpty {
                out += "  due now: nothing\n"
            } else {
                var summary = [Plural.count(l.due.count + l.dueNotListed, "period")]
                if l.inFlight > 0 { summary.append("\(l.inFlight) in flight") }
                if l.overdue > 0 { summary.append("\(l.overdue) overdue") }
                out += "  due now (\(summary.joined(separator: ", ")); oldest first):\n"
                var table = [["period", "state", "task", "attempts", "note"]]
                for r in l.due {
                    var note: [String] = []
                    if r.overdue { note.append("overdue") }
                    if let e = r.lastError { note.append(e) }
                    table.append([r.local, r.status, r.taskID.map(String.init) ?? "", r.attempts > 0 ? "\(r.attempts)" : "", note.joined(separator: "; ")])
                }
                out += TextTable.render(table, indent: "    ")
                if l.dueNotListed > 0 { out += "    … and \(l.dueNotListed) more\n" }
            }
            if let n = l.nextPeriod, let f = l.nextFireLocal {
                out += "  next: \(n.local) fires at \(f)\(l.paused == nil ? "" : " (unless still paused)")\n"
            }
        }
        return out
    }

    static func local(_ date: Date, _ zoneName: String) -> String {
        LocalTime.instant(date, in: TimeZone(identifier: zoneName == "UTC" ? "GMT" : zoneName) ?? TimeZone(identifier: "GMT")!)
    }
}
