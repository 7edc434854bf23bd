import Foundation

/// A token bucket for API requests: `rate` per second, bursts up to `burst`. Pure: the
/// caller passes `now` and learns either "go" or the earliest time to try again.
public struct RateLimiter: Sendable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var last: Date?

    public init(rate: Double, burst: Double? = nil) {
        self.rate = max(rate, 0.001)
        self.burst = max(burst ?? max(rate, 1), 1)
        self.tokens = self.burst
    }

    /// Takes a token and returns nil, or returns when one will be available.
    public mutating func acquire(now: Date) -> Date? {
        if let last {
            tokens = min(burst, tokens + max(0, now.timeIntervalSince(last)) * rate)
        }
        last = now
        if tokens >= 1 {
            tokens -= 1
            return nil
        }
        return now.addingTimeInterval((1 - tokens) / rate)
    }
}
