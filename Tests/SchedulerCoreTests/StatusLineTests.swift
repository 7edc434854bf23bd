import Foundation
import Testing
import SchedulerCore

struct StatusLineTests {
    /// 2026-12-01T06:00:00Z
    let december = Date(timeIntervalSince1970: 1_796_104_800)

    @Test func busyWithNext() {
        let text = StatusLine.format(ledgers: 12, inFlight: 3, failures: 0, next: ("lgr_abc", december))
        #expect(text == "12 ledgers · 3 in flight · next lgr_abc 2026-12-01 06:00 UTC")
    }

    @Test func failuresAreShown() {
        let text = StatusLine.format(ledgers: 12, inFlight: 3, failures: 2, next: ("lgr_abc", december))
        #expect(text == "12 ledgers · 3 in flight · 2 failed · next lgr_abc 2026-12-01 06:00 UTC")
    }

    @Test func nothingInFlight() {
        let text = StatusLine.format(ledgers: 2, inFlight: 0, failures: 0, next: ("lgr_x", december.addingTimeInterval(59)))
        #expect(text == "2 ledgers · next lgr_x 2026-12-01 06:00 UTC")
    }

    @Test func idleVariants() {
        #expect(StatusLine.format(ledgers: 1, inFlight: 0, failures: 0, next: nil) == "1 ledger · idle")
        #expect(StatusLine.format(ledgers: 0, inFlight: 0, failures: 1, next: nil) == "0 ledgers · 1 failed · idle")
        #expect(
            StatusLine.format(ledgers: 4, inFlight: 2, failures: 0, next: nil)
                == "4 ledgers · 2 in flight · nothing else scheduled"
        )
    }
}
