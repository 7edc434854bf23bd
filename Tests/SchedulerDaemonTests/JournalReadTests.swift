import Foundation
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// `journal` reads the file itself: every period's full record (completed ones' task ids
/// too), and with `--ledger` only that ledger's lines are decoded.
@Suite("Journal read for reports")
struct JournalReadTests {
    static func entry(_ ledger: String, _ start: String, _ end: String, _ event: JournalEvent, task: Int? = nil) -> JournalEntry {
        JournalEntry(time: Date(timeIntervalSince1970: 1_780_000_000), ledgerID: ledger, periodStart: start, periodEnd: end, event: event, taskID: task)
    }

    @Test("one ledger's lines, found at their place or written another way; a longer id that starts the same is not it")
    func onlyLedger() throws {
        let folder = try TemporaryFolder(prefix: "mangrove-read")
        defer { folder.remove() }
        let path = folder.file("journal.jsonl")
        let jan = ("2025-01-01T00:00:00.000Z", "2025-01-31T23:59:59.000Z"), feb = ("2025-02-01T00:00:00.000Z", "2025-02-28T23:59:59.000Z")
        var lines = [
            JournalCodec.encode(Self.entry("lgr_a", jan.0, jan.1, .intent)),
            JournalCodec.encode(Self.entry("lgr_ab", jan.0, jan.1, .intent)),
            JournalCodec.encode(Self.entry("lgr_a", jan.0, jan.1, .completed, task: 41)),
            JournalCodec.encode(Self.entry("lgr_ab", jan.0, jan.1, .completed, task: 42)),
        ]
        // Hand-written, keys in another order: found by searching the line.
        lines.append(#"{"ledger_id":"lgr_a","event":"failed","time":"2026-05-28T20:26:40.000Z","period_start":"\#(feb.0)","period_end":"\#(feb.1)"}"#)
        try (lines.joined(separator: "\n") + "\n").write(toFile: path, atomically: true, encoding: .utf8)

        let only = try JournalFile.read(path: path, keepsEveryRecord: true, onlyLedger: "lgr_a").state
        #expect(Set(only.ledgers.keys) == ["lgr_a"])
        #expect(only.record(PeriodKey(ledgerID: "lgr_a", periodStart: jan.0))?.taskID == 41, "a completed period keeps its task id in full")
        #expect(only.record(PeriodKey(ledgerID: "lgr_a", periodStart: feb.0))?.lastEvent == .failed)

        let all = try JournalFile.read(path: path).state
        #expect(Set(all.ledgers.keys) == ["lgr_a", "lgr_ab"])
        #expect(all.records(ledgerID: "lgr_a").plainlyCompleted == 1, "the daemon's fold keeps plain completions as runs")
        #expect(all.record(PeriodKey(ledgerID: "lgr_ab", periodStart: jan.0))?.lastEvent == .completed)
    }
}
