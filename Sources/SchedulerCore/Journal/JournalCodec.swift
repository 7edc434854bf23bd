import Foundation

/// Encodes and decodes journal lines. Encoding writes keys in a fixed order with no
/// optional key when it has no value; decoding accepts any JSON object with the required
/// keys and ignores unknown ones, so older and newer daemons can share a journal.
public enum JournalCodec {
    public enum DecodeError: Error, Sendable, Hashable, CustomStringConvertible {
        case invalidJSON(String)
        case missingField(String)
        case invalidField(String, String)

        public var description: String {
            switch self {
            case .invalidJSON(let m): "not valid JSON (\(m))"
            case .missingField(let f): "missing field \"\(f)\""
            case .invalidField(let f, let m): "field \"\(f)\": \(m)"
            }
        }
    }

    /// One line, without the trailing newline.
    public static func encode(_ e: JournalEntry) -> String {
        var s = "{\"time\":\"\(UTCTimestamp.format(e.time))\""
        s += ",\"ledger_id\":" + quote(e.ledgerID)
        s += ",\"period_start\":" + quote(e.periodStart)
        s += ",\"period_end\":" + quote(e.periodEnd)
        s += ",\"event\":\"\(e.event.rawValue)\""
        if let v = e.taskID { s += ",\"task_id\":\(v)" }
        if let v = e.attempt { s += ",\"attempt\":\(v)" }
        if let v = e.state { s += ",\"state\":" + quote(v) }
        if let v = e.progress { s += ",\"progress\":\(v)" }
        if let v = e.error { s += ",\"error\":" + quote(v) }
        if let v = e.batchIDs { s += ",\"batch_ids\":[" + v.map(quote).joined(separator: ",") + "]" }
        if let v = e.detail { s += ",\"detail\":" + quote(v) }
        return s + "}"
    }

    /// A JSON string literal.
    public static func quote(_ text: String) -> String {
        var out = "\""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\"": out += "\\\""
            case "\\": out += "\\\\"
            case "\n": out += "\\n"
            case "\r": out += "\\r"
            case "\t": out += "\\t"
            case _ where scalar.value < 0x20:
                let hex = String(scalar.value, radix: 16)
                out += "\\u" + String(repeating: "0", count: 4 - hex.count) + hex
            default: out.unicodeScalars.append(scalar)
            }
        }
        return out + "\""
    }

    public static func decode(_ line: String) throws(DecodeError) -> JournalEntry {
        let node: ConfigJSON.Node
        do {
            node = try ConfigJSONReader.parse(line)
        } catch {
            throw .invalidJSON(error.description)
        }
        guard case .object(let members) = node.value else {
            throw .invalidJSON("line \(node.line), column \(node.column): expected an object, found \(node.value.kindName)")
        }
        var fields: [String: ConfigJSON] = [:]
        for m in members { fields[m.key] = m.node.value }

        func string(_ key: String) throws(DecodeError) -> String {
            guard let v = fields[key] else { throw .missingField(key) }
            guard case .string(let s) = v else { throw .invalidField(key, "expected a string") }
            return s
        }
        func optionalString(_ key: String) -> String? {
            if case .string(let s)? = fields[key] { return s }
            return nil
        }
        func optionalInt(_ key: String) -> Int? {
            if case .number(let n)? = fields[key], n.rounded() == n, abs(n) < 9e15 { return Int(n) }
            if case .string(let s)? = fields[key] { return Int(s) }
            return nil
        }
        let timeText = try string("time")
        guard let time = UTCTimestamp.parse(timeText) else { throw .invalidField("time", "\"\(timeText)\" is not RFC 3339") }
        let eventText = try string("event")
        guard let event = JournalEvent(rawValue: eventText) else { throw .invalidField("event", "unknown event \"\(eventText)\"") }
        var batchIDs: [String]?
        if case .array(let items)? = fields["batch_ids"] {
            batchIDs = items.compactMap { if case .string(let s) = $0.value { s } else { nil } }
        }
        return JournalEntry(
            time: time, ledgerID: try string("ledger_id"), periodStart: try string("period_start"),
            periodEnd: try string("period_end"), event: event, taskID: optionalInt("task_id"),
            attempt: optionalInt("attempt"), state: optionalString("state"), progress: optionalInt("progress"),
            error: optionalString("error"), batchIDs: batchIDs, detail: optionalString("detail"))
    }
}
