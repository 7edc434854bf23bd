import Testing
@testable import SchedulerCore

@Suite("Scheduler state layout")
struct SchedulerLayoutTests {
    @Test("a ledger runner keeps its period run, pending intent, listing and schedule change out of line, and its ledger once (152 bytes: the per-ledger table and per-event copies stay small)")
    func runnerIsSmall() {
        #expect(MemoryLayout<LedgerRunner>.stride < 200, "\(MemoryLayout<LedgerRunner>.stride) bytes")
    }
}
