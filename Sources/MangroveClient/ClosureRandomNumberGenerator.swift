/// A `RandomNumberGenerator` over a `@Sendable () -> UInt64`, so `HTTPBatchAPI` (a
/// `Sendable` struct) can take its jitter source as a closure and tests can pin it.
struct ClosureRandomNumberGenerator: RandomNumberGenerator {
    let nextValue: @Sendable () -> UInt64
    mutating func next() -> UInt64 { nextValue() }
}
