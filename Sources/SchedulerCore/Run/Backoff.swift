/// Exponential backoff with jitter, as pure math: the caller passes the attempt number
/// and a random-number generator, so tests pin every delay.
///
/// The ceiling for attempt `n` (0-based) is `min(cap, initial × multiplier^n)`.
/// With `initial` 2 s, `multiplier` 2 and `cap` 60 s (the poll default):
///
/// | attempt | 0 | 1 | 2 | 3  | 4  | 5  | 6+ |
/// |---------|---|---|---|----|----|----|----|
/// | ceiling | 2 | 4 | 8 | 16 | 32 | 60 | 60 |
///
/// `.full` jitter draws uniformly from `[0, ceiling]` (API retries: spreads a herd of
/// clients); `.proportional(f)` draws from `[ceiling × (1 − f), ceiling]`;
/// `.symmetric(f)` draws from `[ceiling × (1 − f), ceiling × (1 + f)]`, never above `cap`
/// (polling without a progress signal: ±20 %, so 2 s · 4 s · 8 s … become
/// 1.6–2.4 s · 3.2–4.8 s · 6.4–9.6 s …, and a capped 60 s interval 48–60 s).
public struct Backoff: Sendable, Hashable {
    public enum Jitter: Sendable, Hashable {
        case none
        case full
        case proportional(Double)
        case symmetric(Double)
    }

    public var initial: Duration
    public var multiplier: Double
    public var cap: Duration
    public var jitter: Jitter

    public init(initial: Duration, multiplier: Double = 2, cap: Duration, jitter: Jitter) {
        self.initial = initial
        self.multiplier = multiplier
        self.cap = cap
        self.jitter = jitter
    }

    /// Polling an async task without a progress signal: about 2 s after firing, doubling up to 60 s, ±20 %.
    public static let polling = Backoff(initial: .seconds(2), cap: .seconds(60), jitter: .symmetric(0.2))
    /// Retrying a failed API request: 0.5 s doubling up to 30 s, full jitter.
    public static let apiRetry = Backoff(initial: .milliseconds(500), cap: .seconds(30), jitter: .full)

    /// The largest delay attempt `attempt` may wait.
    public func ceiling(forAttempt attempt: Int) -> Duration {
        let capSeconds = cap.seconds
        var value = initial.seconds
        var n = 0
        while n < max(0, attempt), value < capSeconds {
            value *= multiplier
            n += 1
        }
        return .seconds(min(value, capSeconds))
    }

    /// The delay before attempt `attempt`, jittered with `generator`.
    public func delay(forAttempt attempt: Int, using generator: inout some RandomNumberGenerator) -> Duration {
        let ceiling = ceiling(forAttempt: attempt).seconds
        switch jitter {
        case .none:
            return .seconds(ceiling)
        case .full:
            return .seconds(Double.random(in: 0...ceiling, using: &generator))
        case .proportional(let fraction):
            let f = min(max(fraction, 0), 1)
            return .seconds(Double.random(in: (ceiling * (1 - f))...ceiling, using: &generator))
        case .symmetric(let fraction):
            let f = min(max(fraction, 0), 1)
            let drawn = Double.random(in: (ceiling * (1 - f))...(ceiling * (1 + f)), using: &generator)
            return .seconds(min(drawn, cap.seconds))
        }
    }
}

extension Duration {
    /// The duration as fractional seconds.
    public var seconds: Double {
        let (s, atto) = components
        return Double(s) + Double(atto) / 1e18
    }
}
