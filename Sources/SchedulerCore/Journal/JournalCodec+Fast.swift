import Foundation

extension JournalCodec {
    /// Decodes one journal line straight from its bytes, for replays of millions of lines:
    /// no JSON tree, no field dictionary. It understands exactly the shape `encode` writes
    /// (a flat object of strings without escapes, integers and nulls) and returns nil for
    /// anything else, which the caller then decodes with the general `decode(_:)`.
    public static func decodeFast(_ b: UnsafeBufferPointer<UInt8>) -> JournalEntry? {
        decodeFast(b, interner: nil)
    }

    /// As `decodeFast(_:)`, taking the ledger id, period strings and state from
    /// `interner`, so a replay allocates them once per distinct value, not once per line.
    public static func decodeFast(_ b: UnsafeBufferPointer<UInt8>, interner: JournalStringInterner?) -> JournalEntry? {
        if let entry = decodeCanonical(b, interner: interner) { return entry }
        return decodeFlat(b, interner: interner)
    }

    /// The line exactly as `encode` writes it: keys in their order, no spaces, strings
    /// without escapes. Read by position (each key a byte compare) rather than parsed;
    /// nil for anything else, which `decodeFlat` then reads.
    static func decodeCanonical(_ b: UnsafeBufferPointer<UInt8>, interner: JournalStringInterner?) -> JournalEntry? {
        guard let base = b.baseAddress else { return nil }
        let n = b.count
        var i = 0
        @inline(__always) func literal(_ text: StaticString) -> Bool {
            let k = text.utf8CodeUnitCount
            guard i + k <= n, memcmp(base + i, text.utf8Start, k) == 0 else { return false }
            i += k
            return true
        }
        /// The content of a string whose opening quote was just read, up to its closing quote.
        @inline(__always) func content() -> UnsafeBufferPointer<UInt8>? {
            guard let end = closingQuote(b, from: i) else { return nil }
            defer { i = end + 1 }
            return UnsafeBufferPointer(rebasing: b[i..<end])
        }
        @inline(__always) func shared(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
            // Up to 15 bytes a String is stored inline: nothing to share.
            bytes.count <= 15 ? String(decoding: bytes, as: UTF8.self) : interner?.string(bytes) ?? String(decoding: bytes, as: UTF8.self)
        }
        @inline(__always) func integer() -> Int? {
            var negative = false
            if i < n, b[i] == 0x2D { negative = true; i += 1 }
            var value = 0, digits = 0
            while i < n, b[i] >= 0x30, b[i] <= 0x39, digits < 18 {
                value = value * 10 + Int(b[i] - 0x30)
                i += 1
                digits += 1
            }
            guard digits > 0, i < n, b[i] == 0x2C || b[i] == 0x7D else { return nil }
            return negative ? -value : value
        }
        guard literal(#"{"time":""#), let timeText = content(), let time = UTCTimestamp.parse(bytes: timeText),
              literal(#","ledger_id":""#), let ledger = content(),
              literal(#","period_start":""#), let start = content(),
              literal(#","period_end":""#), let end = content(),
              literal(#","event":""#), let eventText = content(), let event = JournalEvent(bytes: eventText)
        else { return nil }
        var taskID: Int?, attempt: Int?, state: String?, progress: Int?, error: String?, detail: String?
        if literal(#","task_id":"#) { guard let v = integer() else { return nil }; taskID = v }
        if literal(#","attempt":"#) { guard let v = integer() else { return nil }; attempt = v }
        if literal(#","state":""#) { guard let v = content() else { return nil }; state = shared(v) }
        if literal(#","progress":"#) { guard let v = integer() else { return nil }; progress = v }
        if literal(#","error":""#) { guard let v = content() else { return nil }; error = String(decoding: v, as: UTF8.self) }
        if literal(#","detail":""#) { guard let v = content() else { return nil }; detail = String(decoding: v, as: UTF8.self) }
        guard literal("}"), i == n else { return nil }
        return JournalEntry(
            time: time, ledgerID: shared(ledger), periodStart: shared(start), periodEnd: shared(end), event: event, taskID: taskID,
            attempt: attempt, state: state, progress: progress, error: error, detail: detail)
    }

    /// Where the string whose content starts at `from` ends (its closing quote); nil when it
    /// has an escape or a control character (the general decoder reads those) or no end.
    @inline(__always) static func closingQuote(_ b: UnsafeBufferPointer<UInt8>, from: Int) -> Int? {
        var i = from
        while i < b.count, b[i] != 0x22 {
            if b[i] == 0x5C || b[i] < 0x20 { return nil }
            i += 1
        }
        return i < b.count ? i : nil
    }

    /// Any flat object of the journal's keys, in any order, with spaces.
    static func decodeFlat(_ b: UnsafeBufferPointer<UInt8>, interner: JournalStringInterner?) -> JournalEntry? {
        var i = 0
        let n = b.count
        @inline(__always) func skipSpace() { while i < n, b[i] == 0x20 || b[i] == 0x09 || b[i] == 0x0D { i += 1 } }
        /// A string without escapes: the range of its content.
        @inline(__always) func string() -> Range<Int>? {
            guard i < n, b[i] == 0x22, let end = closingQuote(b, from: i + 1) else { return nil }
            defer { i = end + 1 }
            return (i + 1)..<end
        }
        func equals(_ r: Range<Int>, _ literal: StaticString) -> Bool {
            guard r.count == literal.utf8CodeUnitCount else { return false }
            let p = literal.utf8Start
            for k in 0..<r.count where b[r.lowerBound + k] != p[k] { return false }
            return true
        }
        func text(_ r: Range<Int>) -> String { String(decoding: UnsafeBufferPointer(rebasing: b[r]), as: UTF8.self) }
        func shared(_ r: Range<Int>) -> String {
            guard let interner else { return text(r) }
            return interner.string(UnsafeBufferPointer(rebasing: b[r]))
        }

        skipSpace()
        guard i < n, b[i] == 0x7B else { return nil }
        i += 1
        var time: Date?, ledger: String?, start: String?, end: String?, event: JournalEvent?
        var taskID: Int?, attempt: Int?, state: String?, progress: Int?, error: String?, detail: String?
        while true {
            skipSpace()
            guard let key = string() else { return nil }
            skipSpace()
            guard i < n, b[i] == 0x3A else { return nil }
            i += 1
            skipSpace()
            guard i < n else { return nil }
            if b[i] == 0x22 {
                guard let v = string() else { return nil }
                if equals(key, "time") {
                    time = UTCTimestamp.parse(bytes: UnsafeBufferPointer(rebasing: b[v]))
                    if time == nil { return nil }
                } else if equals(key, "ledger_id") { ledger = shared(v) }
                else if equals(key, "period_start") { start = shared(v) }
                else if equals(key, "period_end") { end = shared(v) }
                else if equals(key, "event") {
                    guard let e = JournalEvent(rawValue: text(v)) else { return nil }
                    event = e
                } else if equals(key, "state") { state = shared(v) }
                else if equals(key, "error") { error = text(v) }
                else if equals(key, "detail") { detail = text(v) }
                else if equals(key, "task_id") || equals(key, "attempt") || equals(key, "progress") { return nil }
            } else if b[i] == 0x2D || (b[i] >= 0x30 && b[i] <= 0x39) {
                var negative = false
                if b[i] == 0x2D { negative = true; i += 1 }
                var value = 0
                var digits = 0
                while i < n, b[i] >= 0x30, b[i] <= 0x39, digits < 18 {
                    value = value * 10 + Int(b[i] - 0x30)
                    i += 1
                    digits += 1
                }
                guard digits > 0, i < n, b[i] != 0x2E, b[i] != 0x65, b[i] != 0x45, !(b[i] >= 0x30 && b[i] <= 0x39) else { return nil }
                if negative { value = -value }
                if equals(key, "task_id") { taskID = value }
                else if equals(key, "attempt") { attempt = value }
                else if equals(key, "progress") { progress = value }
            } else if b[i] == 0x6E, i + 4 <= n, b[i + 1] == 0x75, b[i + 2] == 0x6C, b[i + 3] == 0x6C {
                i += 4
            } else {
                return nil  // arrays (batch_ids), objects, booleans: the general decoder
            }
            skipSpace()
            guard i < n else { return nil }
            if b[i] == 0x2C { i += 1; continue }
            if b[i] == 0x7D { i += 1; break }
            return nil
        }
        skipSpace()
        guard i == n, let time, let ledger, let start, let end, let event else { return nil }
        return JournalEntry(
            time: time, ledgerID: ledger, periodStart: start, periodEnd: end, event: event, taskID: taskID,
            attempt: attempt, state: state, progress: progress, error: error, detail: detail)
    }
}

/// Hands out one `String` per distinct short byte sequence (ledger ids, period strings,
/// task states) while a journal is replayed: a small direct-mapped table, so memory stays
/// bounded whatever the journal holds, and a miss only costs the allocation it replaces.
public final class JournalStringInterner {
    private var slots: [String?]
    private let mask: Int

    public init(slots: Int = 4096) {
        var size = 1
        while size < max(slots, 1) { size <<= 1 }
        self.slots = Array(repeating: nil, count: size)
        self.mask = size - 1
    }

    public func string(_ bytes: UnsafeBufferPointer<UInt8>) -> String {
        guard !bytes.isEmpty else { return "" }
        guard bytes.count <= 64 else { return String(decoding: bytes, as: UTF8.self) }
        var hash: UInt64 = 0xcbf2_9ce4_8422_2325
        for byte in bytes { hash = (hash ^ UInt64(byte)) &* 0x100_0000_01b3 }
        let slot = Int(truncatingIfNeeded: hash ^ (hash >> 29)) & mask
        if let s = slots[slot], s.utf8.count == bytes.count,
           s.utf8.withContiguousStorageIfAvailable({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) == 0 }) ?? s.utf8.elementsEqual(bytes) {
            return s
        }
        let s = String(decoding: bytes, as: UTF8.self)
        slots[slot] = s
        return s
    }
}

extension JournalEvent {
    /// The event whose raw value is `bytes` (the replay's fast path: no String made).
    init?(bytes: UnsafeBufferPointer<UInt8>) {
        for event in Self.byBytes where event.bytes.count == bytes.count {
            if event.bytes.withUnsafeBufferPointer({ memcmp($0.baseAddress!, bytes.baseAddress!, bytes.count) }) == 0 {
                self = event.event
                return
            }
        }
        return nil
    }

    private static let byBytes: [(bytes: [UInt8], event: JournalEvent)] = allCases.map { (Array($0.rawValue.utf8), $0) }
}
