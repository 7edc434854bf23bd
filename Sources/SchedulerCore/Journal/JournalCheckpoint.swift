import Foundation

/// The folded journal as of a byte offset, so a start-up reads only the lines after it.
///
/// It records how many bytes of the journal it covers (always whole lines), the
/// `JournalDigest` of those bytes and the state folded from them (with the problems found
/// there, reported again at every start as a full replay would). It is only ever used after
/// the covered bytes of the journal were read again and gave the same digest: a journal
/// that was rewritten, truncated, restored from a backup or swapped for another one, or a
/// checkpoint that is damaged, of another version or newer than the file, is ignored and
/// the journal replayed in full. The checkpoint is an optimisation, never a source of truth.
///
/// The encoding is binary and versioned: a header (magic, version, covered offset, digest,
/// line count, payload length), a payload whose strings are stored once in a table, and the
/// digest of all of it at the end.
public struct JournalCheckpoint: Sendable, Equatable {
    /// Bytes of the journal the state covers (it ends just after a newline).
    public var journalOffset: UInt64
    /// `JournalDigest` of those bytes.
    public var journalDigest: UInt64
    /// Lines in those bytes, blank and unreadable ones included (line numbers go on from it).
    public var lines: Int
    /// The fold of those lines.
    public var state: JournalState
    /// Unreadable lines among them (never a torn tail: a checkpoint covers whole lines).
    public var problems: [JournalProblem]

    public init(journalOffset: UInt64, journalDigest: UInt64, lines: Int, state: JournalState, problems: [JournalProblem]) {
        self.journalOffset = journalOffset
        self.journalDigest = journalDigest
        self.lines = lines
        self.state = state
        self.problems = problems
    }

    /// The checkpoint file beside a journal.
    public static func path(forJournal journalPath: String) -> String { journalPath + ".checkpoint" }

    static let magic: [UInt8] = Array("MGVCKPT\n".utf8)
    /// 2: completed periods as runs (`CompletedRuns`); a version 1 checkpoint is ignored.
    static let version: UInt32 = 2
    static let headerSize = 8 + 4 + 8 + 8 + 8 + 8

    // MARK: - Encoding

    public func encoded() -> [UInt8] {
        var strings = StringTable()
        var body = ByteWriter()
        body.u64(UInt64(state.lineCount))
        body.u32(UInt32(problems.count))
        for p in problems {
            body.u64(UInt64(p.line))
            body.u32(strings.index(p.message))
        }
        let ledgers = state.ledgers.sorted { $0.key < $1.key }
        body.u32(UInt32(ledgers.count))
        for (ledgerID, records) in ledgers {
            body.u32(strings.index(ledgerID))
            body.u32(UInt32(records.others.count))
            for (start, r) in records.others.sorted(by: { $0.key < $1.key }) {
                body.u32(strings.index(start))
                Self.write(r, &body, &strings)
            }
            body.u32(UInt32(records.completed.runs.count))
            for run in records.completed.runs {
                body.u64(UInt64(bitPattern: run.start))
                body.u32(UInt32(run.ends.count))
                for e in run.ends { body.u32(e) }
            }
        }
        let durations = state.durations.sorted { $0.key < $1.key }
        body.u32(UInt32(durations.count))
        for (ledgerID, d) in durations {
            body.u32(strings.index(ledgerID))
            body.u8(UInt8(d.ring.count))
            for v in d.ring { body.u64(v.bitPattern) }
            body.u8(UInt8(d.next))
        }

        var payload = ByteWriter()
        payload.u32(UInt32(strings.list.count))
        for s in strings.list {
            let utf8 = Array(s.utf8)
            payload.u32(UInt32(utf8.count))
            payload.bytes.append(contentsOf: utf8)
        }
        payload.bytes.append(contentsOf: body.bytes)

        var out = ByteWriter()
        out.bytes.append(contentsOf: Self.magic)
        out.u32(Self.version)
        out.u64(journalOffset)
        out.u64(journalDigest)
        out.u64(UInt64(lines))
        out.u64(UInt64(payload.bytes.count))
        out.bytes.append(contentsOf: payload.bytes)
        var digest = JournalDigest()
        digest.update(out.bytes)
        out.u64(digest.value)
        return out.bytes
    }

    private enum Flag {
        static let taskID: UInt16 = 1 << 0
        static let state: UInt16 = 1 << 1
        static let progress: UInt16 = 1 << 2
        static let lastError: UInt16 = 1 << 3
        static let batchIDs: UInt16 = 1 << 4
        static let detail: UInt16 = 1 << 5
        static let firedAt: UInt16 = 1 << 6
        static let reconcilingSince: UInt16 = 1 << 7
        static let lastIntentAt: UInt16 = 1 << 8
    }

    private static func write(_ r: PeriodRecord, _ w: inout ByteWriter, _ strings: inout StringTable) {
        var flags: UInt16 = 0
        if r.taskID != nil { flags |= Flag.taskID }
        if r.state != nil { flags |= Flag.state }
        if r.progress != nil { flags |= Flag.progress }
        if r.lastError != nil { flags |= Flag.lastError }
        if r.batchIDs != nil { flags |= Flag.batchIDs }
        if r.detail != nil { flags |= Flag.detail }
        if r.firedAt != nil { flags |= Flag.firedAt }
        if r.reconcilingSince != nil { flags |= Flag.reconcilingSince }
        if r.lastIntentAt != nil { flags |= Flag.lastIntentAt }
        w.u32(strings.index(r.periodEnd))
        w.u8(UInt8(JournalEvent.allCases.firstIndex(of: r.lastEvent)!))
        w.u16(flags)
        w.i64(r.attempts)
        w.i64(r.taskFailures)
        w.i64(r.emptyPreviews)
        w.i64(r.consecutiveNotFired)
        w.date(r.firstTime)
        w.date(r.lastTime)
        if let v = r.taskID { w.i64(v) }
        if let v = r.state { w.u32(strings.index(v)) }
        if let v = r.progress { w.i64(v) }
        if let v = r.lastError { w.u32(strings.index(v)) }
        if let v = r.batchIDs {
            w.u32(UInt32(v.count))
            for id in v { w.u32(strings.index(id)) }
        }
        if let v = r.detail { w.u32(strings.index(v)) }
        if let v = r.firedAt { w.date(v) }
        if let v = r.reconcilingSince { w.date(v) }
        if let v = r.lastIntentAt { w.date(v) }
    }

    // MARK: - Decoding

    /// Just the header: what the checkpoint covers (nil: not a checkpoint of this version).
    public static func header(_ bytes: UnsafeRawBufferPointer) -> (journalOffset: UInt64, journalDigest: UInt64, lines: Int)? {
        var r = ByteReader(bytes)
        guard bytes.count >= headerSize + 8, r.take(magic.count).map(Array.init) == magic, r.u32() == version,
              let offset = r.u64(), let digest = r.u64(), let lines = r.u64(), lines < UInt64(Int.max)
        else { return nil }
        return (offset, digest, Int(lines))
    }

    /// Decodes a whole checkpoint; nil when it is damaged, cut short or of another version.
    public static func decode(_ bytes: UnsafeRawBufferPointer) -> JournalCheckpoint? {
        guard let (offset, journalDigest, lines) = header(bytes) else { return nil }
        var r = ByteReader(bytes)
        _ = r.take(headerSize - 8)
        guard let payloadLength = r.u64(), payloadLength <= UInt64(bytes.count - headerSize - 8),
              Int(payloadLength) == bytes.count - headerSize - 8
        else { return nil }
        var digest = JournalDigest()
        digest.update(UnsafeRawBufferPointer(rebasing: bytes[0..<(headerSize + Int(payloadLength))]))
        var trailer = ByteReader(UnsafeRawBufferPointer(rebasing: bytes[(headerSize + Int(payloadLength))...]))
        guard trailer.u64() == digest.value else { return nil }
        return decodePayload(&r).map {
            JournalCheckpoint(journalOffset: offset, journalDigest: journalDigest, lines: lines, state: $0.0, problems: $0.1)
        }
    }

    private static func decodePayload(_ r: inout ByteReader) -> (JournalState, [JournalProblem])? {
        guard let stringCount = r.u32() else { return nil }
        r.strings.reserveCapacity(Int(min(stringCount, 1 << 20)))
        for _ in 0..<stringCount {
            guard let n = r.u32(), let b = r.take(Int(n)) else { return nil }
            r.strings.append(String(decoding: b, as: UTF8.self))
        }
        var state = JournalState()
        guard let lineCount = r.u64(), lineCount < UInt64(Int.max), let problemCount = r.u32() else { return nil }
        state.lineCount = Int(lineCount)
        var problems: [JournalProblem] = []
        for _ in 0..<problemCount {
            guard let line = r.u64(), line < UInt64(Int.max), let message = r.string() else { return nil }
            problems.append(JournalProblem(line: Int(line), message: message, isTornTail: false))
        }
        guard let ledgerCount = r.u32() else { return nil }
        state.ledgers.reserveCapacity(Int(min(ledgerCount, 1 << 20)))
        for _ in 0..<ledgerCount {
            guard let ledgerID = r.string(), let recordCount = r.u32() else { return nil }
            var records: [String: PeriodRecord] = [:]
            records.reserveCapacity(Int(min(recordCount, 1 << 20)))
            for _ in 0..<recordCount {
                guard let start = r.string(), let record = readRecord(&r) else { return nil }
                records[start] = record
            }
            guard let runCount = r.u32(), Int(runCount) <= r.remaining / 12 else { return nil }
            var runs: [CompletedRuns.Run] = []
            runs.reserveCapacity(Int(runCount))
            for _ in 0..<runCount {
                guard let start = r.u64(), let n = r.u32(), n > 0, Int(n) <= r.remaining / 4 else { return nil }
                var ends: [UInt32] = []
                ends.reserveCapacity(Int(n))
                for _ in 0..<n {
                    guard let e = r.u32() else { return nil }
                    ends.append(e)
                }
                runs.append(CompletedRuns.Run(start: Int64(bitPattern: start), ends: ends))
            }
            guard let completed = CompletedRuns(runs: runs) else { return nil }
            state.ledgers[ledgerID] = LedgerRecords(others: records, completed: completed)
        }
        guard let durationCount = r.u32() else { return nil }
        for _ in 0..<durationCount {
            guard let ledgerID = r.string(), let n = r.u8(), Int(n) <= RecentDurations.capacity else { return nil }
            var d = RecentDurations()
            for _ in 0..<n {
                guard let bits = r.u64() else { return nil }
                d.ring.append(Double(bitPattern: bits))
            }
            guard let next = r.u8(), Int(next) < RecentDurations.capacity else { return nil }
            d.next = Int(next)
            state.durations[ledgerID] = d
        }
        guard r.remaining == 8 else { return nil }
        return (state, problems)
    }

    private static func readRecord(_ r: inout ByteReader) -> PeriodRecord? {
        guard let periodEnd = r.string(), let eventIndex = r.u8(), Int(eventIndex) < JournalEvent.allCases.count,
              let flags = r.u16(), let attempts = r.i64(), let taskFailures = r.i64(), let emptyPreviews = r.i64(),
              let notFired = r.i64(), let firstTime = r.date(), let lastTime = r.date()
        else { return nil }
        var record = PeriodRecord(
            periodEnd: periodEnd, lastEvent: JournalEvent.allCases[Int(eventIndex)], attempts: attempts,
            taskFailures: taskFailures, emptyPreviews: emptyPreviews, firstTime: firstTime, lastTime: lastTime)
        record.consecutiveNotFired = notFired
        if flags & Flag.taskID != 0 { guard let v = r.i64() else { return nil }; record.taskID = v }
        if flags & Flag.state != 0 { guard let v = r.string() else { return nil }; record.state = v }
        if flags & Flag.progress != 0 { guard let v = r.i64() else { return nil }; record.progress = v }
        if flags & Flag.lastError != 0 { guard let v = r.string() else { return nil }; record.lastError = v }
        if flags & Flag.batchIDs != 0 {
            guard let n = r.u32(), Int(n) <= r.remaining / 4 else { return nil }
            var ids: [String] = []
            for _ in 0..<n {
                guard let id = r.string() else { return nil }
                ids.append(id)
            }
            record.batchIDs = ids
        }
        if flags & Flag.detail != 0 { guard let v = r.string() else { return nil }; record.detail = v }
        if flags & Flag.firedAt != 0 { guard let v = r.date() else { return nil }; record.firedAt = v }
        if flags & Flag.reconcilingSince != 0 { guard let v = r.date() else { return nil }; record.reconcilingSince = v }
        if flags & Flag.lastIntentAt != 0 { guard let v = r.date() else { return nil }; record.lastIntentAt = v }
        return record
    }
}

/// Strings of a checkpoint, each stored once.
private struct StringTable {
    var list: [String] = []
    var indices: [String: UInt32] = [:]

    mutating func index(_ s: String) -> UInt32 {
        if let i = indices[s] { return i }
        let i = UInt32(list.count)
        list.append(s)
        indices[s] = i
        return i
    }
}

private struct ByteWriter {
    var bytes: [UInt8] = []

    mutating func u8(_ v: UInt8) { bytes.append(v) }
    mutating func u16(_ v: UInt16) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u32(_ v: UInt32) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func u64(_ v: UInt64) { withUnsafeBytes(of: v.littleEndian) { bytes.append(contentsOf: $0) } }
    mutating func i64(_ v: Int) { u64(UInt64(bitPattern: Int64(v))) }
    mutating func date(_ d: Date) { u64(d.timeIntervalSinceReferenceDate.bitPattern) }
}

private struct ByteReader {
    let bytes: UnsafeRawBufferPointer
    var at = 0

    /// The checkpoint's string table, once read.
    var strings: [String] = []

    init(_ bytes: UnsafeRawBufferPointer) { self.bytes = bytes }

    mutating func string() -> String? {
        guard let i = u32(), Int(i) < strings.count else { return nil }
        return strings[Int(i)]
    }

    var remaining: Int { bytes.count - at }

    mutating func take(_ n: Int) -> UnsafeRawBufferPointer? {
        guard n >= 0, n <= remaining else { return nil }
        defer { at += n }
        return UnsafeRawBufferPointer(rebasing: bytes[at..<(at + n)])
    }

    private mutating func load<T: FixedWidthInteger>(_: T.Type) -> T? {
        guard let b = take(MemoryLayout<T>.size) else { return nil }
        return T(littleEndian: b.loadUnaligned(as: T.self))
    }

    mutating func u8() -> UInt8? { load(UInt8.self) }
    mutating func u16() -> UInt16? { load(UInt16.self) }
    mutating func u32() -> UInt32? { load(UInt32.self) }
    mutating func u64() -> UInt64? { load(UInt64.self) }
    mutating func i64() -> Int? { load(UInt64.self).map { Int(Int64(bitPattern: $0)) } }
    mutating func date() -> Date? { u64().map { Date(timeIntervalSinceReferenceDate: Double(bitPattern: $0)) } }
}
