import Foundation
import SchedulerCore
import Testing

/// The compact layout of `PeriodRecord` reads and writes like plain stored properties,
/// including values its inline sentinels cannot hold.
@Suite("PeriodRecord: compact layout, plain behaviour")
struct PeriodRecordLayoutTests {
    static func record() throws -> PeriodRecord {
        var state = JournalState()
        state.apply(JournalEntry(
            time: Date(timeIntervalSince1970: 1_770_000_000), ledgerID: "lgr_a", periodStart: "2025-01-01T00:00:00.000Z",
            periodEnd: "2025-01-31T23:59:59.000Z", event: .intent, attempt: 1))
        return try #require(state.record(PeriodKey(ledgerID: "lgr_a", periodStart: "2025-01-01T00:00:00.000Z")))
    }

    @Test("96 bytes a record")
    func size() {
        #expect(MemoryLayout<PeriodRecord>.stride <= 96)
    }

    @Test("extreme values round-trip, and equal values compare and hash equal however they were reached")
    func extremes() throws {
        let base = try Self.record()
        var r = base
        let farPast = Date(timeIntervalSinceReferenceDate: -0x1p55)
        for v in [Int.min, Int.max, 0, -1, Int(Int32.min), Int(Int32.max) + 1] {
            r.taskID = v
            #expect(r.taskID == v)
            r.attempts = v
            #expect(r.attempts == v)
            r.progress = v
            #expect(r.progress == v)
            r.taskFailures = v
            #expect(r.taskFailures == v)
        }
        r.taskID = nil
        r.progress = nil
        #expect(r.taskID == nil && r.progress == nil)
        r.firedAt = farPast
        r.lastIntentAt = farPast
        #expect(r.firedAt == farPast && r.lastIntentAt == farPast)
        r.firedAt = nil
        #expect(r.firedAt == nil)
        r.lastError = "x"
        r.batchIDs = ["b"]
        r.detail = "d"
        r.reconcilingSince = farPast
        r.consecutiveNotFired = 3
        r.emptyPreviews = 2
        #expect(r.lastError == "x" && r.batchIDs == ["b"] && r.detail == "d" && r.reconcilingSince == farPast)
        #expect(r.consecutiveNotFired == 3 && r.emptyPreviews == 2)
        // Back to the base values: equal to the base, same hash.
        r.attempts = base.attempts
        r.taskFailures = 0
        r.lastIntentAt = base.lastIntentAt
        r.lastError = nil
        r.batchIDs = nil
        r.detail = nil
        r.reconcilingSince = nil
        r.consecutiveNotFired = 0
        r.emptyPreviews = 0
        #expect(r == base)
        #expect(r.hashValue == base.hashValue)
        var copy = r
        copy.lastError = "only the copy"
        #expect(r.lastError == nil)
        #expect(copy != r)
    }
}
