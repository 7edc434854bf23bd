/// How many times a retryable API failure is tried again and how long to wait, honouring
/// the server's `Retry-After` (never waiting less than it asks, up to `maxRetryAfter`).
public struct RetryPolicy: Sendable, Hashable {
    /// Total attempts including the first; 1 means "never retry".
    public var maxAttempts: Int
    public var backoff: Backoff
    /// A `Retry-After` longer than this is clamped, so a bogus header cannot park the daemon.
    public var maxRetryAfter: Duration

    public init(maxAttempts: Int = 6, backoff: Backoff = .apiRetry, maxRetryAfter: Duration = .seconds(300)) {
        self.maxAttempts = maxAttempts
        self.backoff = backoff
        self.maxRetryAfter = maxRetryAfter
    }

    public static let `default` = RetryPolicy()

    /// The wait before trying again after failed attempt number `attempt` (1-based), or nil
    /// when the budget is spent.
    public func delay(
        afterAttempt attempt: Int, retryAfter: Duration?, using generator: inout some RandomNumberGenerator
    ) -> Duration? {
        guard attempt < maxAttempts else { return nil }
        let jittered = backoff.delay(forAttempt: attempt - 1, using: &generator)
        guard let retryAfter else { return jittered }
        return max(jittered, min(retryAfter, maxRetryAfter))
    }
}
