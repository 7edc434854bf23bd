import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// A checkpoint only ever shortens the replay: with one, start-up (and `plan`/`journal`)
/// ends with exactly the state and problems of a full replay of the same file, whatever
/// happened to the file or the checkpoint since it was written.
@Suite("Journal checkpoint: replay from a checkpoint equals a full replay")
struct JournalCheckpointTests {
    static let seeds: [UInt64] = Array(1...12)

    /// Random journal text from `rng`: several ledgers and periods, every event, task ids,
    /// errors with characters that need escapes (the general decoder), batch ids, blank
    /// lines and unreadable lines.
    static func randomLines(_ count: Int, _ rng: inout SplitMix64, startIndex: Int = 0) -> [String] {
        let ledgers = ["lgr_aaaaaaaaaaaa", "lgr_bbbbbbbbbbbb", "lgr_cccccccccccc"]
        let periods = (1...6).map { m in
            (String(format: "2025-%02d-01T00:00:00.000Z", m), String(format: "2025-%02d-28T23:59:59.000Z", m))
        }
        let t0 = Date(timeIntervalSince1970: 1_770_000_000)
        var out: [String] = []
        for i in 0..<count {
            let r = rng.next() % 100
            if r < 2 { out.append(""); continue }
            if r < 4 { out.append("{\"time\":\"garbage \(i)\"}"); continue }
            let (start, end) = periods[Int(rng.next() % UInt64(periods.count))]
            let event = JournalEvent.allCases[Int(rng.next() % UInt64(JournalEvent.allCases.count))]
            let k = startIndex + i
            let entry = JournalEntry(
                time: t0.addingTimeInterval(Double(k) * 1.5 + Double(rng.next() % 1000) / 1000),
                ledgerID: ledgers[Int(rng.next() % UInt64(ledgers.count))], periodStart: start,
                periodEnd: rng.next() % 20 == 0 ? "2025-03-31T23:59:59.000Z" : end, event: event,
                taskID: rng.next() % 3 == 0 ? nil : Int(rng.next() % 50), attempt: Int(rng.next() % 3) + 1,
                state: event == .progress ? ["pending", "processing", "running"][Int(rng.next() % 3)] : nil,
                progress: event == .progress ? Int(rng.next() % 101) : nil,
                error: rng.next() % 7 == 0 ? "HTTP 422: \"bad\"\nline \(i) ✓" : nil,
                batchIDs: event == .completed && rng.next() % 2 == 0 ? ["bat_\(k)", "bat_x\(k)"] : nil,
                detail: rng.next() % 9 == 0 ? "reconciled" : nil)
            out.append(JournalCodec.encode(entry))
        }
        return out
    }

    static func write(_ path: String, _ lines: [String], tornTail: String? = nil) throws {
        let text = lines.map { $0 + "\n" }.joined() + (tornTail ?? "")
        try text.write(toFile: path, atomically: false, encoding: .utf8)
    }

    static func append(_ path: String, _ text: String) throws {
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: path))
        defer { try? handle.close() }
        try handle.seekToEnd()
        handle.write(Data(text.utf8))
    }

    /// A full replay of a copy of `path`, where no checkpoint exists: state, problems, and
    /// the file as the daemon's replay leaves it (torn tail repaired).
    static func fullReplay(of path: String) throws -> (state: JournalState, problems: [JournalProblem], repaired: Data) {
        let folder = try TemporaryFolder(prefix: "mangrove-full")
        defer { folder.remove() }
        let copy = folder.file("journal.jsonl")
        try FileManager.default.copyItem(atPath: path, toPath: copy)
        let read = try JournalFile.read(path: copy)
        let journal = try JournalFile(path: copy)
        journal.checkpointEvery = .max
        var state = JournalState()
        let problems = try journal.replay(into: &state)
        journal.close()
        #expect(state == read.state)
        #expect(!FileManager.default.fileExists(atPath: JournalCheckpoint.path(forJournal: copy)))
        return (state, problems, try Data(contentsOf: URL(fileURLWithPath: copy)))
    }

    /// Replays `path` as the daemon does (checkpoint used when valid; with `every`, a new
    /// one written) and checks state, problems and file against a full replay.
    @discardableResult
    static func expectSameAsFullReplay(
        _ path: String, every: Int = .max, fromCheckpoint: Bool, _ note: Comment
    ) throws -> JournalState {
        let expected = try fullReplay(of: path)
        let read = try JournalFile.read(path: path)
        #expect(read.state == expected.state, note)
        #expect(read.problems.filter { !$0.isTornTail } == expected.problems.filter { !$0.isTornTail }, note)
        let journal = try JournalFile(path: path)
        journal.checkpointEvery = every
        var state = JournalState()
        let problems = try journal.replay(into: &state)
        #expect((journal.replayedFrom > 0) == fromCheckpoint, note)
        journal.close()
        #expect(state == expected.state, note)
        #expect(problems == expected.problems, note)
        #expect(try Data(contentsOf: URL(fileURLWithPath: path)) == expected.repaired, note)
        return state
    }

    /// Writes a checkpoint of the file as it is (a replay with `checkpointEvery` 1).
    static func checkpoint(_ path: String) throws {
        let journal = try JournalFile(path: path)
        journal.checkpointEvery = 1
        var state = JournalState()
        _ = try journal.replay(into: &state)
        journal.close()
        #expect(FileManager.default.fileExists(atPath: JournalCheckpoint.path(forJournal: path)))
    }

    @Test("a checkpoint then more lines (some with a torn last line) replays as the whole file", arguments: seeds)
    func olderCheckpointThenTail(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("journal.jsonl")
        var rng = SplitMix64(seed: seed)
        let first = Self.randomLines(200 + Int(rng.next() % 300), &rng)
        try Self.write(path, first)
        try Self.checkpoint(path)
        try Self.expectSameAsFullReplay(path, fromCheckpoint: true, "checkpoint covering the whole file, seed \(seed)")

        let more = Self.randomLines(Int(rng.next() % 200), &rng, startIndex: first.count)
        let torn: String? = switch seed % 3 {
        case 0: nil
        case 1: String(Self.randomLines(1, &rng, startIndex: 10_000)[0].prefix(Int(rng.next() % 60) + 1))  // cut mid-line
        default: Self.randomLines(1, &rng, startIndex: 10_001)[0]  // complete but no newline
        }
        try Self.append(path, more.map { $0 + "\n" }.joined() + (torn ?? ""))
        try Self.expectSameAsFullReplay(path, every: 1, fromCheckpoint: true, "older checkpoint and a tail, seed \(seed)")
        // The replay wrote a new checkpoint of the repaired file: replaying again gives the same.
        try Self.expectSameAsFullReplay(path, fromCheckpoint: true, "new checkpoint, seed \(seed)")
    }

    @Test("a checkpoint newer than the file (restored from an older backup) is ignored", arguments: seeds)
    func newerCheckpoint(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("journal.jsonl")
        var rng = SplitMix64(seed: seed)
        let lines = Self.randomLines(300 + Int(rng.next() % 300), &rng)
        let cut = 50 + Int(rng.next() % 200)
        try Self.write(path, lines)
        try Self.checkpoint(path)
        // The backup: an older, shorter journal, then (in half the cases) new lines past the checkpoint's offset.
        var restored = Array(lines[..<cut])
        if seed % 2 == 0 { restored += Self.randomLines(lines.count, &rng, startIndex: 50_000) }
        try Self.write(path, restored)
        try Self.expectSameAsFullReplay(path, fromCheckpoint: false, "checkpoint newer than the file, seed \(seed)")
    }

    @Test("a covered line changed, the file swapped, or the checkpoint damaged: full replay", arguments: seeds)
    func invalidCheckpoint(seed: UInt64) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("journal.jsonl")
        let checkpointPath = JournalCheckpoint.path(forJournal: path)
        var rng = SplitMix64(seed: seed)
        var lines = Self.randomLines(300, &rng)
        try Self.write(path, lines)
        try Self.checkpoint(path)
        switch seed % 4 {
        case 0:
            // Same length, one covered line different (a digit of a task id or a time).
            let i = lines.firstIndex { $0.contains("\"time\":\"2026") }!
            lines[i] = lines[i].replacingOccurrences(of: "\"time\":\"2026", with: "\"time\":\"2027")
            try Self.write(path, lines)
        case 1:
            // Another journal of the same size in its place.
            var other = SplitMix64(seed: seed + 1000)
            try Self.write(path, Self.randomLines(300, &other))
        case 2:
            // A damaged checkpoint: one byte flipped.
            var bytes = try Data(contentsOf: URL(fileURLWithPath: checkpointPath))
            let at = Int(rng.next() % UInt64(bytes.count))
            bytes[at] ^= 0x40
            try bytes.write(to: URL(fileURLWithPath: checkpointPath))
        default:
            // A checkpoint cut short (or empty).
            let bytes = try Data(contentsOf: URL(fileURLWithPath: checkpointPath))
            try bytes.prefix(Int(rng.next() % UInt64(bytes.count))).write(to: URL(fileURLWithPath: checkpointPath))
        }
        try Self.expectSameAsFullReplay(path, fromCheckpoint: false, "invalid checkpoint (case \(seed % 4)), seed \(seed)")
    }

    @Test("the checkpoint of a replay round-trips, and its encoding is stable")
    func roundTrip() throws {
        var rng = SplitMix64(seed: 42)
        var state = JournalState()
        var problems: [JournalProblem] = []
        for (i, line) in Self.randomLines(2000, &rng).enumerated() where !line.isEmpty {
            do { state.apply(try JournalCodec.decode(line)) } catch {
                problems.append(JournalProblem(line: i + 1, message: error.description, isTornTail: false))
            }
        }
        let checkpoint = JournalCheckpoint(journalOffset: 123_456, journalDigest: 0xDEAD_BEEF, lines: 2000, state: state, problems: problems)
        let bytes = checkpoint.encoded()
        let decoded = bytes.withUnsafeBytes { JournalCheckpoint.decode($0) }
        #expect(decoded == checkpoint)
        #expect(decoded?.encoded() == bytes)
        // Any cut is rejected, never half-read.
        for cut in [0, 1, 8, 40, bytes.count / 2, bytes.count - 1] {
            #expect(Array(bytes.prefix(cut)).withUnsafeBytes { JournalCheckpoint.decode($0) } == nil)
        }
    }

    @Test("the daemon's journal writes a checkpoint on close once enough lines are uncovered, and the next start uses it")
    func closeWritesCheckpoint() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("journal.jsonl")
        var rng = SplitMix64(seed: 7)
        try Self.write(path, Self.randomLines(100, &rng))
        let journal = try JournalFile(path: path)
        journal.checkpointEvery = 50
        var state = JournalState()
        _ = try journal.replay(into: &state)
        let checkpointPath = JournalCheckpoint.path(forJournal: path)
        #expect(FileManager.default.fileExists(atPath: checkpointPath))
        let before = try Data(contentsOf: URL(fileURLWithPath: checkpointPath))
        for line in Self.randomLines(60, &rng, startIndex: 100) where !line.isEmpty {
            guard let entry = try? JournalCodec.decode(line) else { continue }
            try journal.append(entry)
        }
        journal.close()
        let after = try Data(contentsOf: URL(fileURLWithPath: checkpointPath))
        #expect(after != before)
        let size = try #require(try FileManager.default.attributesOfItem(atPath: path)[.size] as? Int)
        let header = try #require(after.withUnsafeBytes { JournalCheckpoint.header($0) })
        #expect(header.journalOffset == UInt64(size))
        try Self.expectSameAsFullReplay(path, fromCheckpoint: true, "after close")
    }
}
