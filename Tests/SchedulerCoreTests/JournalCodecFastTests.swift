import Foundation
import Testing
@testable import SchedulerCore

@Suite("JournalCodec fast path")
struct JournalCodecFastTests {
    static let t = Date(timeIntervalSince1970: 1_767_225_600.123)

    static let entries: [JournalEntry] = JournalEvent.allCases.flatMap { event in
        [
            JournalEntry(time: t, ledgerID: "lgr_abc123def456", periodStart: "2025-01-01T00:00:00.000Z", periodEnd: "2025-01-31T23:59:59.000Z", event: event),
            JournalEntry(time: t, ledgerID: "lgr_a", periodStart: "2025-01-01T00:00:00.000Z", periodEnd: "2025-01-31T23:59:59.000Z", event: event,
                         taskID: 456, attempt: 2, state: "running", progress: 50, error: "HTTP 404: record not found", detail: "will fire again"),
        ]
    }

    static func fast(_ line: String) -> JournalEntry? {
        var line = line
        return line.withUTF8 { JournalCodec.decodeFast($0) }
    }

    @Test("decodes every line encode writes exactly like the general decoder", arguments: entries)
    func agrees(with entry: JournalEntry) throws {
        let line = JournalCodec.encode(entry)
        let fast = try #require(Self.fast(line))
        #expect(fast == (try JournalCodec.decode(line)))
        #expect(fast == entry)
    }

    @Test("lines as the daemon writes them are read by position, and agree with the flat reader", arguments: entries)
    func canonical(_ entry: JournalEntry) throws {
        var line = JournalCodec.encode(entry)
        let byPosition = line.withUTF8 { JournalCodec.decodeCanonical($0, interner: JournalStringInterner()) }
        #expect(byPosition == entry)
        #expect(byPosition == line.withUTF8 { JournalCodec.decodeFlat($0, interner: nil) })
    }

    @Test("a line in another key order or with spaces is not read by position, but still read", arguments: [
        #"{"ledger_id":"lgr_a","time":"2026-01-01T00:00:00.000Z","period_start":"s","period_end":"e","event":"fired"}"#,
        #"{"time":"2026-01-01T00:00:00.000Z", "ledger_id":"lgr_a","period_start":"s","period_end":"e","event":"fired"}"#,
        #"{"time":"2026-01-01T00:00:00.000Z","ledger_id":"lgr_a","period_start":"s","period_end":"e","event":"fired","attempt":1,"task_id":3}"#,
    ])
    func notCanonical(_ text: String) throws {
        var line = text
        #expect(line.withUTF8 { JournalCodec.decodeCanonical($0, interner: nil) } == nil)
        #expect(Self.fast(text) == (try JournalCodec.decode(text)))
    }

    @Test("declines what it does not understand, so the general decoder handles it", arguments: [
        #"{"time":"2026-01-01T00:00:00.000Z","ledger_id":"lgr_a","period_start":"s","period_end":"e","event":"completed","batch_ids":["bat_1"]}"#,
        #"{"time":"2026-01-01T00:00:00.000Z","ledger_id":"lgr_a","period_start":"s","period_end":"e","event":"failed","error":"a \"quoted\" message"}"#,
        #"{"time":"2026-01-01T00:00:00.000Z","ledger_id":"lgr_a","period_start":"s","period_end":"e","event":"fired","task_id":1.5}"#,
        #"{"time":"2026-01-01T00:00:00.000Z","ledger_id":"lgr_a","period_start":"s","period_end":"e","event":"teleported"}"#,
        #"{"time":"2026-01-01T00:00:00.000Z","ledger_id":"lgr_a","period_start":"s","event":"fired"}"#,
        #"{"time":"yesterday","ledger_id":"lgr_a","period_start":"s","period_end":"e","event":"fired"}"#,
        #"{"time":"2026-01-01T00:00:00.000Z","ledger_id":"lgr_a","period_start":"s","period_end":"e","event":"fired","#,
        #"{"time":"2026-01-01T00:00:00.000Z","ledger_id":"lgr_a","period_start":"s","period_end":"e","event":"fired"} trailing"#,
        #"["not","an","object"]"#,
        "",
    ])
    func declines(_ line: String) {
        #expect(Self.fast(line) == nil)
    }

    @Test("tolerates unknown keys, nulls and whitespace like the general decoder")
    func tolerant() throws {
        let line = #" { "time" : "2026-01-01T00:00:00.000Z", "ledger_id": "lgr_a", "period_start": "s", "period_end": "e", "event": "progress", "task_id": 7, "state": "running", "progress": null, "future_field": "x", "count": 3 } "#
        let fast = try #require(Self.fast(line))
        #expect(fast.taskID == 7)
        #expect(fast.progress == nil)
        #expect(fast.event == .progress)
        #expect(fast == (try JournalCodec.decode(line)))
    }
}
