import Foundation

/// A `now` the test moves by hand, so task progression never waits on real time.
final class TestClock: @unchecked Sendable {
    private let lock = NSLock()
    private var current: Date

    /// 2025-04-01T12:00:00.000Z by default, the cookbook's day.
    init(_ start: Date = Date(timeIntervalSince1970: 1_743_508_800)) {
        current = start
    }

    var now: Date {
        lock.lock()
        defer { lock.unlock() }
        return current
    }

    func advance(by seconds: TimeInterval) {
        lock.lock()
        current += seconds
        lock.unlock()
    }

    /// The closure handed to the simulator.
    var source: @Sendable () -> Date { { self.now } }
}
