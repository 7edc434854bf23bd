import Foundation
import Testing
@testable import SchedulerCore

/// Random journals: the fast path (interned strings, in-place fold) gives exactly what the
/// general decoder and a line-by-line fold give.
@Suite("Journal replay equivalence")
struct JournalReplayEquivalenceTests {
    /// Random lines of a few ledgers and periods, every event, optional fields, and some
    /// lines only the general decoder reads (escapes, batch ids, odd whitespace).
    static func randomLines(seed: UInt64, count: Int) -> [String] {
        var rng = SplitMix64(seed: seed)
        func pick<T>(_ xs: [T]) -> T { xs[Int(rng.next() % UInt64(xs.count))] }
        let ledgers = ["lgr_a", "lgr_abc123def456", "lgr_" + String(repeating: "x", count: 40)]
        let starts = ["2025-01-01T00:00:00.000Z", "2025-02-01T00:00:00.000Z", "2024-12-31T23:00:00.000Z"]
        let ends = ["2025-01-31T23:59:59.000Z", "2025-02-28T23:59:59.000Z"]
        var lines: [String] = []
        for n in 0..<count {
            let t = Date(timeIntervalSince1970: 1_767_225_600 + Double(n) * 1.5)
            var e = JournalEntry(time: t, ledgerID: pick(ledgers), periodStart: pick(starts), periodEnd: pick(ends), event: pick(JournalEvent.allCases))
            if rng.next() % 2 == 0 { e.taskID = Int(rng.next() % 1000) }
            if rng.next() % 2 == 0 { e.attempt = Int(rng.next() % 4) + 1 }
            if rng.next() % 2 == 0 { e.state = pick(["pending", "running", "queued"]) }
            if rng.next() % 2 == 0 { e.progress = Int(rng.next() % 101) }
            if rng.next() % 4 == 0 { e.error = pick(["HTTP 503", "a \"quoted\" error", "line\nbreak"]) }
            if rng.next() % 4 == 0 { e.detail = pick(["will fire again", "found on the API: x"]) }
            if rng.next() % 8 == 0 { e.batchIDs = ["bat_1", "bat_2"] }
            var line = JournalCodec.encode(e)
            if rng.next() % 10 == 0 { line = " " + line.replacingOccurrences(of: ",", with: ", ") + "\t" }
            lines.append(line)
        }
        return lines
    }

    @Test("fast decoder with an interner agrees with the general decoder", arguments: [UInt64(1), 2, 3, 4])
    func decoders(seed: UInt64) throws {
        let interner = JournalStringInterner(slots: 4)
        for line in Self.randomLines(seed: seed, count: 2000) {
            var copy = line
            let fast = copy.withUTF8 { JournalCodec.decodeFast($0, interner: interner) }
            let general = try JournalCodec.decode(line)
            if let fast { #expect(fast == general, "\(line)") }
        }
    }

    @Test("the fold gives the same records and recent durations as folding each entry alone", arguments: [UInt64(5), 6, 7])
    func fold(seed: UInt64) throws {
        let lines = Self.randomLines(seed: seed, count: 3000)
        var fast = JournalState()
        let interner = JournalStringInterner()
        for line in lines {
            var copy = line
            let e = try copy.withUTF8 { JournalCodec.decodeFast($0, interner: interner) } ?? JournalCodec.decode(line)
            fast.apply(e)
        }
        var general = JournalState()
        let problems = JournalReplay.replay(lines: lines.map { Substring($0) }, lastLineComplete: true, into: &general)
        #expect(problems.isEmpty)
        #expect(fast.ledgers == general.ledgers)
        #expect(fast.lineCount == general.lineCount)
        for ledger in fast.ledgers.keys {
            #expect(fast.recentDurations(ledgerID: ledger) == general.recentDurations(ledgerID: ledger))
            #expect(fast.recentDurations(ledgerID: ledger).count <= RecentDurations.capacity)
        }
    }
}
