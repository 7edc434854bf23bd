import Foundation

/// What `mangrove-scheduler journal` shows: the outcome of every period in the journal,
/// per ledger, with task ids, attempts, errors and durations.
public struct JournalReport: Sendable, Encodable {
    public struct Row: Sendable, Encodable, Equatable {
        public var ledgerID: String
        public var periodStart: String
        public var periodEnd: String
        /// The last event: a terminal one, or where a pending period stands.
        public var outcome: String
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

        enum CodingKeys: String, CodingKey {
            case outcome, terminal, attempts, error
            case foundOnAPI = "found_on_api"
            case ledgerID = "ledger_id", periodStart = "period_start", periodEnd = "period_end"
            case taskID = "task_id", batchIDs = "batch_ids", firstTime = "first_time", lastTime = "last_time"
            case durationSeconds = "duration_seconds"
        }
    }

    public var rows: [Row]

    public static func make(state: JournalState, ledgerID: String? = nil) -> JournalReport {
        var rows: [Row] = []
        for (ledger, periods) in state.ledgers where ledgerID == nil || ledger == ledgerID {
            for (start, r) in periods {
                rows.append(Row(
                    ledgerID: ledger, periodStart: start, periodEnd: r.periodEnd, outcome: r.lastEvent.rawValue,
                    terminal: r.isTerminal, taskID: r.taskID, attempts: r.attempts, error: r.isTerminal && r.lastEvent == .completed ? nil : r.lastError,
                    batchIDs: r.batchIDs, firstTime: UTCTimestamp.format(r.firstTime), lastTime: UTCTimestamp.format(r.lastTime),
                    durationSeconds: r.duration,
                    foundOnAPI: r.lastEvent == .completed && r.detail?.hasPrefix(PeriodRun.foundDetailPrefix) == true))
            }
        }
        rows.sort { ($0.ledgerID, $0.periodStart) < ($1.ledgerID, $1.periodStart) }
        return JournalReport(rows: rows)
    }

    /// Counts of each outcome, for summaries.
    public var counts: [String: Int] {
        rows.reduce(into: [:]) { $0[$1.outcome, default: 0] += 1 }
    }

    public func text() -> String {
        guard !rows.isEmpty else { return "the journal has no periods yet\n" }
        var out = ""
        var current = ""
        for r in rows {
            if r.ledgerID != current {
                current = r.ledgerID
                out += "\n\(current)\n"
            }
            var line = "  \(r.periodStart) … \(r.periodEnd)  \(r.outcome.padding(toLength: 15, withPad: " ", startingAt: 0))"
            if let t = r.taskID { line += " task \(t)" }
            if r.attempts > 1 { line += " attempts \(r.attempts)" }
            if r.foundOnAPI {
                line += " found on the API: \((r.batchIDs ?? []).joined(separator: ", "))"
            } else if let d = r.durationSeconds {
                line += " \(Int(d.rounded()))s"
            }
            if let e = r.error { line += "  error: \(e)" }
            out += line + "\n"
        }
        let summary = counts.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
        return String(out.dropFirst()) + "\n\(rows.count) periods: \(summary)\n"
    }
}
