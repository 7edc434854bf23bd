import Testing
@testable import SchedulerCore

@Suite("Scheduler state layout")
struct SchedulerLayoutTests {
    @Test("a ledger runner keeps its period run out of line (the per-ledger table and per-event copies stay small)")
    func runnerIsSmall() {
        #expect(MemoryLayout<LedgerRunner>.stride < 700, "\(MemoryLayout<LedgerRunner>.stride) bytes")
    }
}
