import Foundation
import Testing
import SchedulerCore

@Suite("JournalCodec: one JSON object per journal line")
struct JournalCodecTests {
    static let time = instant("2025-04-01T04:00:00.123Z")

    static func minimal(_ event: JournalEvent) -> JournalEntry {
        JournalEntry(time: time, ledgerID: "lgr_abc123def456", periodStart: "2025-02-28T23:00:00.000Z",
                     periodEnd: "2025-03-31T21:59:59.000Z", event: event)
    }

    static func full(_ event: JournalEvent) -> JournalEntry {
        JournalEntry(time: time, ledgerID: "lgr_abc123def456", periodStart: "2025-02-28T23:00:00.000Z",
                     periodEnd: "2025-03-31T21:59:59.000Z", event: event, taskID: 987_654_321, attempt: 3,
                     state: "processing", progress: 42, error: "rate limited (429)", batchIDs: ["bat_1", "bat_2"],
                     detail: "reconciled")
    }

    @Test("round trip of every event, minimal and with every optional field", arguments: JournalEvent.allCases)
    func roundTrip(_ event: JournalEvent) throws {
        for entry in [Self.minimal(event), Self.full(event)] {
            let line = JournalCodec.encode(entry)
            #expect(!line.contains("\n"))
            #expect(try JournalCodec.decode(line) == entry)
        }
    }

    @Test("the exact line: fixed key order, no absent optionals")
    func exactLine() {
        var entry = Self.minimal(.fired)
        entry.taskID = 42
        entry.attempt = 1
        entry.state = "pending"
        #expect(JournalCodec.encode(entry) == #"{"time":"2025-04-01T04:00:00.123Z","ledger_id":"lgr_abc123def456","period_start":"2025-02-28T23:00:00.000Z","period_end":"2025-03-31T21:59:59.000Z","event":"fired","task_id":42,"attempt":1,"state":"pending"}"#)
        #expect(JournalCodec.encode(Self.full(.completed)) == #"{"time":"2025-04-01T04:00:00.123Z","ledger_id":"lgr_abc123def456","period_start":"2025-02-28T23:00:00.000Z","period_end":"2025-03-31T21:59:59.000Z","event":"completed","task_id":987654321,"attempt":3,"state":"processing","progress":42,"error":"rate limited (429)","batch_ids":["bat_1","bat_2"],"detail":"reconciled"}"#)
    }

    @Test("event names on the wire", arguments: [
        (JournalEvent.intent, "intent"), (.fired, "fired"), (.progress, "progress"), (.reconciling, "reconciling"),
        (.notFired, "not_fired"), (.taskFailed, "task_failed"), (.previewEmpty, "preview_empty"),
        (.retryRequested, "retry_requested"), (.completed, "completed"), (.failed, "failed"), (.skipped, "skipped"),
        (.ambiguous, "ambiguous"),
    ])
    func eventNames(_ event: JournalEvent, _ name: String) {
        #expect(event.rawValue == name)
        #expect(JournalCodec.encode(Self.minimal(event)).contains(#""event":"\#(name)""#))
        #expect(event.isTerminal == ["completed", "failed", "skipped", "ambiguous"].contains(name))
    }

    @Test("escaping of quotes, backslashes, newlines and control characters", arguments: [
        ("say \"hi\"", #""say \"hi\"""#),
        ("back\\slash", #""back\\slash""#),
        ("two\nlines\r\n", #""two\nlines\r\n""#),
        ("tab\there", #""tab\there""#),
        ("bell\u{07} nul\u{00} us\u{1F}", #""bell\u0007 nul\u0000 us\u001f""#),
        ("del\u{7F} é 😀 日本", "\"del\u{7F} é 😀 日本\""),
        ("", #""""#),
    ])
    func escaping(_ text: String, _ quoted: String) throws {
        #expect(JournalCodec.quote(text) == quoted)
        var entry = Self.minimal(.failed)
        entry.error = text
        entry.detail = text
        entry.batchIDs = [text]
        let line = JournalCodec.encode(entry)
        #expect(!line.contains("\n") && !line.contains("\r"))
        #expect(line.unicodeScalars.allSatisfy { $0.value >= 0x20 })
        #expect(try JournalCodec.decode(line) == entry)
    }

    @Test("unknown fields are ignored")
    func unknownFields() throws {
        let line = #"{"future":{"nested":[1,2,{"x":null}]},"time":"2025-04-01T04:00:00.123Z","ledger_id":"lgr_abc123def456","period_start":"2025-02-28T23:00:00.000Z","period_end":"2025-03-31T21:59:59.000Z","event":"intent","host":"box-1","version":2}"#
        #expect(try JournalCodec.decode(line) == Self.minimal(.intent))
    }

    @Test("nulls and mistyped optional fields are tolerated")
    func nulls() throws {
        let line = #"{"time":"2025-04-01T04:00:00.123Z","ledger_id":"lgr_abc123def456","period_start":"2025-02-28T23:00:00.000Z","period_end":"2025-03-31T21:59:59.000Z","event":"progress","task_id":null,"attempt":null,"state":null,"progress":"n/a","error":null,"batch_ids":null,"detail":7}"#
        #expect(try JournalCodec.decode(line) == Self.minimal(.progress))
    }

    @Test("lenient numbers: task ids as strings, non-integers dropped, non-string batch ids skipped")
    func lenientNumbers() throws {
        let line = #"{"time":"2025-04-01T06:00:00+02:00","ledger_id":"l","period_start":"a","period_end":"b","event":"fired","task_id":"77","attempt":1.5,"progress":100,"batch_ids":["x",1,null,"y"]}"#
        let entry = try JournalCodec.decode(line)
        #expect(entry.taskID == 77)
        #expect(entry.attempt == nil)
        #expect(entry.progress == 100)
        #expect(entry.batchIDs == ["x", "y"])
        #expect(utcString(entry.time) == "2025-04-01T04:00:00.000Z")
    }

    @Test("a missing required field is named", arguments: ["time", "ledger_id", "period_start", "period_end", "event"])
    func missingField(_ field: String) {
        let all: [(String, String)] = [
            ("time", "\"2025-04-01T04:00:00.123Z\""), ("ledger_id", "\"lgr_a\""), ("period_start", "\"s\""),
            ("period_end", "\"e\""), ("event", "\"intent\""),
        ]
        let line = "{" + all.filter { $0.0 != field }.map { "\"\($0.0)\":\($0.1)" }.joined(separator: ",") + "}"
        #expect(throws: JournalCodec.DecodeError.missingField(field)) { try JournalCodec.decode(line) }
        #expect(JournalCodec.DecodeError.missingField(field).description == "missing field \"\(field)\"")
    }

    @Test("invalid required fields", arguments: [
        (#"{"time":"yesterday","ledger_id":"l","period_start":"s","period_end":"e","event":"intent"}"#,
         JournalCodec.DecodeError.invalidField("time", "\"yesterday\" is not RFC 3339")),
        (#"{"time":"2025-04-01T04:00:00Z","ledger_id":"l","period_start":"s","period_end":"e","event":"exploded"}"#,
         .invalidField("event", "unknown event \"exploded\"")),
        (#"{"time":"2025-04-01T04:00:00Z","ledger_id":7,"period_start":"s","period_end":"e","event":"intent"}"#,
         .invalidField("ledger_id", "expected a string")),
        (#"{"time":"2025-04-01T04:00:00Z","ledger_id":"l","period_start":null,"period_end":"e","event":"intent"}"#,
         .invalidField("period_start", "expected a string")),
        (#"[1,2]"#, .invalidJSON("line 1, column 1: expected an object, found an array")),
    ])
    func invalidFields(_ line: String, _ error: JournalCodec.DecodeError) {
        #expect(throws: error) { try JournalCodec.decode(line) }
    }

    @Test("not JSON at all", arguments: ["", "garbage", #"{"time":"2025-04-01T04:00:00.123Z","ledger_"#, "{}}"])
    func notJSON(_ line: String) {
        do {
            _ = try JournalCodec.decode(line)
            Issue.record("decoded \(line)")
        } catch {
            guard case .invalidJSON(let message) = error else {
                Issue.record("expected invalidJSON, got \(error)")
                return
            }
            #expect(message.hasPrefix("line 1, column "))
            #expect(error.description.hasPrefix("not valid JSON (line 1, column "))
        }
    }

    @Test("error descriptions")
    func descriptions() {
        #expect(JournalCodec.DecodeError.invalidField("time", "bad").description == "field \"time\": bad")
        #expect(JournalCodec.DecodeError.invalidJSON("x").description == "not valid JSON (x)")
    }

    @Test("PeriodKey orders by ledger, then period start")
    func periodKey() {
        let a = PeriodKey(ledgerID: "lgr_a", periodStart: "2025-02-01T00:00:00.000Z")
        let b = PeriodKey(ledgerID: "lgr_a", periodStart: "2025-03-01T00:00:00.000Z")
        let c = PeriodKey(ledgerID: "lgr_b", periodStart: "2025-01-01T00:00:00.000Z")
        #expect([c, b, a].sorted() == [a, b, c])
        #expect(a.description == "lgr_a@2025-02-01T00:00:00.000Z")
        #expect(Self.minimal(.intent).key == PeriodKey(ledgerID: "lgr_abc123def456", periodStart: "2025-02-28T23:00:00.000Z"))
    }
}
