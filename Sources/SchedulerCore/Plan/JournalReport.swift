import Foundation

/// What `mangrove-scheduler journal` shows: the state of every period in the journal, per
/// ledger (in schedule order, then ledgers only in the journal), with task ids, attempts,
/// errors, durations, and how completed periods came to be (`found_on_api`,
/// `reconciled`, with their batch ids). The text shows periods in each ledger's zone;
/// `--json` keeps the journal's UTC strings.
public struct JournalReport: Sendable, Encodable {
    public struct Row: Sendable, Encodable, Equatable {
        public var ledgerID: String
        public var periodStart: String
        public var periodEnd: String
        /// The period in the ledger's zone (`2025-03`); the UTC strings for a ledger not in the schedule.
        public var local: String
        /// A `PeriodStateName` (the same words as `plan`, `STATUS=` and the metrics).
        public var outcome: String
        /// The journal's last event for the period (`fired`, `progress`, …).
        public var lastEvent: String
        public var terminal: Bool
        public var taskID: Int?
        public var attempts: Int
        public var error: String?
        public var batchIDs: [String]?
        public var firstTime: String
        public var lastTime: String
        public var durationSeconds: Double?
        /// Completed because its batches were found on the API before a POST (not made by
        /// this daemon, or not in its journal).
        public var foundOnAPI: Bool
        /// Completed after a POST of unknown outcome, by finding its batches.
        public var reconciled: Bool

        enum CodingKeys: String, CodingKey {
            case outcome, terminal, attempts, error, local, reconciled
            case foundOnAPI = "found_on_api", lastEvent = "last_event"
            case ledgerID = "ledger_id", periodStart = "period_start", periodEnd = "period_end"
            case taskID = "task_id", batchIDs = "batch_ids", firstTime = "first_time", lastTime = "last_time"
            case durationSeconds = "duration_seconds"
        }
    }

    /// A ledger's heading: its zone and cadence when scheduled, and its pause.
    public struct LedgerHeading: Sendable, Encodable, Equatable {
        public var id: String
        public var cadence: String?
        public var timeZone: String?
        public var paused: LedgerPause?

        enum CodingKeys: String, CodingKey {
            case id, cadence, paused
            case timeZone = "time_zone"
        }
    }

    public var ledgers: [LedgerHeading]
    public var rows: [Row]

    public static func make(
        state: JournalState, schedule: Schedule? = nil, controls: LedgerControlState = LedgerControlState(), ledgerID: String? = nil
    ) -> JournalReport {
        let scheduled = schedule?.ledgers ?? []
        var order = scheduled.map(\.id)
        order += state.ledgers.keys.filter { !order.contains($0) }.sorted()
        if let ledgerID { order = order.filter { $0 == ledgerID } }
        var rows: [Row] = []
        var headings: [LedgerHeading] = []
        for ledger in order {
            let config = scheduled.first { $0.id == ledger }
            headings.append(LedgerHeading(
                id: ledger, cadence: config?.cadence.rawValue, timeZone: config.map { LocalTime.zoneName($0.timeZone) },
                paused: controls.pause(of: ledger)))
            for (start, r) in state.records(ledgerID: ledger).all {
                let completion = PeriodStateName.completion(r)
                rows.append(Row(
                    ledgerID: ledger, periodStart: start, periodEnd: r.periodEnd,
                    local: config.map { LocalTime.period(start: start, end: r.periodEnd, cadence: $0.cadence, in: $0.timeZone) } ?? "\(start) … \(r.periodEnd)",
                    outcome: PeriodStateName.of(r), lastEvent: r.lastEvent.rawValue,
                    terminal: r.isTerminal, taskID: r.taskID, attempts: r.attempts, error: r.lastEvent == .completed ? nil : r.lastError,
                    batchIDs: r.batchIDs, firstTime: UTCTimestamp.format(r.firstTime), lastTime: UTCTimestamp.format(r.lastTime),
                    durationSeconds: r.duration, foundOnAPI: completion == "found_on_api", reconciled: completion == "reconciled"))
            }
        }
        return JournalReport(ledgers: headings, rows: rows)
    }

    /// Counts of each state, for summaries.
    public var counts: [String: Int] {
        rows.reduce(into: [:]) { $0[$1.outcome, default: 0] += 1 }
    }

    public func text() -> String {
        guard !rows.isEmpty || ledgers.contains(where: { $0.paused != nil }) else { return "the journal has no periods yet\n" }
        var out = ""
        for heading in ledgers {
            let mine = rows.filter { $0.ledgerID == heading.id }
            guard !mine.isEmpty || heading.paused != nil else { continue }
            out += "\n\(heading.id)"
            if let c = heading.cadence, let z = heading.timeZone { out += "  \(Plural.article(c)) \(c) ledger in \(z)" } else { out += "  (not in the schedule; UTC)" }
            out += "\n"
            if let p = heading.paused {
                let zone = TimeZone(identifier: heading.timeZone == "UTC" ? "GMT" : heading.timeZone ?? "GMT") ?? TimeZone(identifier: "GMT")!
                out += "  PAUSED since \(LocalTime.instant(p.since, in: zone)) by \(p.by): \(p.note)\n"
            }
            guard !mine.isEmpty else { continue }
            var table = [["period", "state", "task", "attempts", "took", "details"]]
            for r in mine {
                var details: [String] = []
                if r.foundOnAPI { details.append("found on the API: \((r.batchIDs ?? []).joined(separator: ", "))") }
                if r.reconciled { details.append("reconciled: \((r.batchIDs ?? []).joined(separator: ", "))") }
                if let e = r.error { details.append("error: \(e)") }
                let took = r.foundOnAPI ? "" : r.durationSeconds.map { "\(Int($0.rounded()))s" } ?? ""
                table.append([r.local, r.outcome, r.taskID.map(String.init) ?? "", "\(r.attempts)", took, details.joined(separator: "; ")])
            }
            out += TextTable.render(table, indent: "  ")
        }
        let summary = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return String(out.dropFirst()) + "\n\(Plural.count(rows.count, "period"))\(rows.isEmpty ? "" : ": " + summary)\n"
    }
}
