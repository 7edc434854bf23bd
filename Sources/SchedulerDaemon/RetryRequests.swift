import Foundation
import SchedulerCore
#if canImport(Glibc)
import Glibc
#endif

/// The request file of `RetryRequest`s. The journal has one writer (the daemon), so
/// `mangrove-scheduler retry` appends a request to `<journal>.requests` and signals the
/// daemon, which journals `retry_requested` and acts on it at start-up and on every SIGHUP.
public enum RetryRequestFile {
    public static func path(journalPath: String) -> String { journalPath + ".requests" }

    /// Appends a request (fsync'd; see `OperatorFile.append`).
    public static func append(_ request: RetryRequest, journalPath: String, now: Date) throws(JournalError) {
        let line = "{\"ledger_id\":\(JournalCodec.quote(request.ledgerID)),\"period_start\":\(JournalCodec.quote(request.periodStart)),\"requested_at\":\"\(UTCTimestamp.format(now))\"}\n"
        try OperatorFile.append(line, to: path(journalPath: journalPath))
    }

    /// Reads and removes every pending request (the caller holds the journal lock).
    /// Malformed lines are returned as problems.
    public static func take(journalPath: String) -> (requests: [RetryRequest], problems: [String]) {
        // Claim the file first: a request appended while we read goes to a new file and is
        // taken next time instead of being lost.
        let pending = path(journalPath: journalPath)
        let file = pending + ".taking"
        // Requests claimed by a run that stopped before journaling them come first.
        if !FileManager.default.fileExists(atPath: file), rename(pending, file) != 0 { return ([], []) }
        guard let data = FileManager.default.contents(atPath: file) else {
            return ([], ["cannot read retry requests in \(file) (\(JournalFile.errnoText())); make it readable by the daemon's user"])
        }
        var requests: [RetryRequest] = []
        var problems: [String] = []
        for (i, line) in String(decoding: data, as: UTF8.self).split(separator: "\n").enumerated() {
            guard case .object(let members)? = try? ConfigJSONReader.parse(String(line)).value else {
                problems.append("\(file) line \(i + 1): not a JSON object; ignored")
                continue
            }
            var fields: [String: String] = [:]
            for m in members { if case .string(let s) = m.node.value { fields[m.key] = s } }
            guard let ledger = fields["ledger_id"], let start = fields["period_start"] else {
                problems.append("\(file) line \(i + 1): needs ledger_id and period_start; ignored")
                continue
            }
            requests.append(RetryRequest(ledgerID: ledger, periodStart: start))
        }
        return (requests, problems)
    }

    /// Removes the claimed requests once they are journaled (a crash before that keeps them).
    public static func finishTaking(journalPath: String) {
        unlink(path(journalPath: journalPath) + ".taking")
    }
}
