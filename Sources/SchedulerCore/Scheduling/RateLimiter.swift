import Foundation

/// A token bucket for API requests: `rate` per second, bursts up to `burst`. Pure: the
/// caller passes `now` and learns either "go" or the earliest time to try again.
public struct RateLimiter: Sendable {
    public let rate: Double
    public let burst: Double
    private var tokens: Double
    private var last: Date?
    /// The time last handed out as "try again at": a caller coming back then is served,
    /// even if Date arithmetic refilled a hair less than one token.
    private var promised: Date?

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
        if tokens >= 1 || promised.map({ now >= $0 }) == true {
            tokens = max(0, tokens - 1)
            promised = nil
            return nil
        }
        let at = now.addingTimeInterval((1 - tokens) / rate)
        promised = at
        return at
    }
}
