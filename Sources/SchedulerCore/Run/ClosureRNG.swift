/// A `RandomNumberGenerator` over an injected `@Sendable () -> UInt64`, so a `Sendable`
/// value (the daemon's dependencies, `HTTPBatchAPI`) can carry its source of random bits
/// as a closure and tests can pin it.
public struct ClosureRNG: RandomNumberGenerator, Sendable {
    public let source: @Sendable () -> UInt64

    public init(next: @escaping @Sendable () -> UInt64) { self.source = next }

    public mutating func next() -> UInt64 { source() }
}
