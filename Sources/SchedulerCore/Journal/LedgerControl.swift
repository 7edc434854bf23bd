import Foundation

/// One operator decision about a whole ledger: `paused` (nothing new fires) or `resumed`.
/// Recorded as one JSON line in the ledger controls file beside the journal
/// (`<journal_path>.controls`), which is the audit trail of who paused what, when and why:
///
///     {"time":"2026-11-23T13:17:07.910Z","ledger_id":"lgr_abc123def456","event":"paused","by":"alice","note":"model being re-fitted"}
///
/// The period journal stays one line per period event: a pause names no period, and
/// keeping it out of the journal means a pause can never change what the journal says
/// about a period in flight.
public struct LedgerControlEntry: Sendable, Hashable {
    public enum Action: String, Sendable, Hashable, CaseIterable {
        case paused, resumed
    }

    public var time: Date
    public var ledgerID: String
    public var action: Action
    /// Who ran the command: `SUDO_USER`, else `USER`, else `uid N`.
    public var by: String
    /// Why (required for a pause).
    public var note: String?

    public init(time: Date, ledgerID: String, action: Action, by: String, note: String? = nil) {
        self.time = time
        self.ledgerID = ledgerID
        self.action = action
        self.by = by
        self.note = note
    }
}

/// A ledger that is paused: since when, by whom, and the operator's note.
public struct LedgerPause: Sendable, Hashable, Encodable {
    public var since: Date
    public var by: String
    public var note: String

    public init(since: Date, by: String, note: String) {
        self.since = since
        self.by = by
        self.note = note
    }

    enum CodingKeys: String, CodingKey { case since, by, note }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(UTCTimestamp.format(since), forKey: .since)
        try c.encode(by, forKey: .by)
        try c.encode(note, forKey: .note)
    }
}

/// The fold of the ledger controls file: which ledgers are paused now.
/// A second `paused` for a paused ledger replaces the note and keeps `since`.
public struct LedgerControlState: Sendable, Equatable {
    public private(set) var paused: [String: LedgerPause] = [:]

    public init() {}

    public func pause(of ledgerID: String) -> LedgerPause? { paused[ledgerID] }
    public func isPaused(_ ledgerID: String) -> Bool { paused[ledgerID] != nil }

    public mutating func apply(_ e: LedgerControlEntry) {
        switch e.action {
        case .paused:
            let since = paused[e.ledgerID]?.since ?? e.time
            paused[e.ledgerID] = LedgerPause(since: since, by: e.by, note: e.note ?? "")
        case .resumed:
            paused[e.ledgerID] = nil
        }
    }

    /// What changed from `old` to `self`, for the daemon to log once per change
    /// (MESSAGE_IDs `paused` and `resumed`).
    public func changes(from old: LedgerControlState) -> (paused: [String], resumed: [String]) {
        let nowPaused = Set(paused.keys), wasPaused = Set(old.paused.keys)
        let notesChanged = nowPaused.intersection(wasPaused).filter { paused[$0] != old.paused[$0] }
        return (nowPaused.subtracting(wasPaused).union(notesChanged).sorted(), wasPaused.subtracting(nowPaused).sorted())
    }
}

/// Encodes and decodes ledger control lines (same conventions as `JournalCodec`).
public enum LedgerControlCodec {
    public static func encode(_ e: LedgerControlEntry) -> String {
        var s = "{\"time\":\"\(UTCTimestamp.format(e.time))\""
        s += ",\"ledger_id\":" + JournalCodec.quote(e.ledgerID)
        s += ",\"event\":\"\(e.action.rawValue)\""
        s += ",\"by\":" + JournalCodec.quote(e.by)
        if let note = e.note { s += ",\"note\":" + JournalCodec.quote(note) }
        return s + "}"
    }

    public static func decode(_ line: String) throws(JournalCodec.DecodeError) -> LedgerControlEntry {
        let root: ConfigJSON.Node
        do { root = try ConfigJSONReader.parse(line) } catch { throw .invalidJSON(error.description) }
        guard case .object(let members) = root.value else { throw .invalidJSON("not an object") }
        var fields: [String: String] = [:]
        for m in members { if case .string(let s) = m.node.value { fields[m.key] = s } }
        func required(_ key: String) throws(JournalCodec.DecodeError) -> String {
            guard let v = fields[key] else { throw .missingField(key) }
            return v
        }
        guard let time = UTCTimestamp.parse(try required("time")) else { throw .invalidField("time", "not an RFC 3339 instant") }
        let eventText = try required("event")
        guard let action = LedgerControlEntry.Action(rawValue: eventText) else {
            throw .invalidField("event", "unknown event \"\(eventText)\"; expected paused or resumed")
        }
        return LedgerControlEntry(time: time, ledgerID: try required("ledger_id"), action: action, by: fields["by"] ?? "unknown", note: fields["note"])
    }

    /// Replays the file's text; bad lines are problems, never fatal.
    public static func replay(_ text: String) -> (state: LedgerControlState, problems: [JournalProblem]) {
        var state = LedgerControlState()
        var problems: [JournalProblem] = []
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false)
        for (i, line) in lines.enumerated() where !line.allSatisfy({ $0 == " " || $0 == "\r" || $0 == "\t" }) {
            do {
                state.apply(try decode(String(line)))
            } catch {
                problems.append(JournalProblem(line: i + 1, message: error.description, isTornTail: i == lines.count - 1))
            }
        }
        return (state, problems)
    }

    /// Who runs the command: `SUDO_USER` (an operator using sudo), else `USER`, else the uid.
    public static func operatorName(environment: [String: String], uid: UInt32) -> String {
        for key in ["SUDO_USER", "USER", "LOGNAME"] {
            if let v = environment[key], !v.isEmpty { return v }
        }
        return "uid \(uid)"
    }
}
