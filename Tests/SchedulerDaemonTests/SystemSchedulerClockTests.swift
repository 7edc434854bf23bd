import Foundation
import SchedulerDaemon
import Testing

/// The real clock's sleep ends at or after its deadline, never short of it: the scheduler
/// arms one timer for its earliest wake-up and counts on that (a sleep back a rounding
/// error early, or from a capped sleep, once left the daemon with no timer at all, and a
/// period due a few minutes later was never fired).
@Suite("SystemSchedulerClock")
struct SystemSchedulerClockTests {
    @Test("sleep(until:) returns at or after the deadline, also when longer than one capped sleep", arguments: [0.0, 0.001, 0.03, 0.25])
    func neverEarly(seconds: Double) async throws {
        let clock = SystemSchedulerClock(maximumSleep: .milliseconds(40))
        for _ in 0..<5 {
            let deadline = clock.now().addingTimeInterval(seconds)
            try await clock.sleep(until: deadline)
            #expect(clock.now() >= deadline)
        }
    }

    @Test("a deadline in the past returns at once")
    func past() async throws {
        let clock = SystemSchedulerClock()
        let started = ContinuousClock.now
        try await clock.sleep(until: clock.now().addingTimeInterval(-5))
        #expect(started.duration(to: .now) < .seconds(1))
    }
}
