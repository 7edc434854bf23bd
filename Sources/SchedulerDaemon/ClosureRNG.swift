import Foundation
import SchedulerCore

/// A `RandomNumberGenerator` over an injected source of random bits.
struct ClosureRNG: RandomNumberGenerator {
    let source: @Sendable () -> UInt64
    init(next: @escaping @Sendable () -> UInt64) { self.source = next }
    mutating func next() -> UInt64 { source() }
}
