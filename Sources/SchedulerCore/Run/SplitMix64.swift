/// A seeded generator (Steele, Lea & Flood's SplitMix64): the same seed gives the same
/// sequence, run after run. The simulator's only source of randomness (task failures,
/// probabilistic faults), and what every test hands the core where it takes a
/// `RandomNumberGenerator`, so a jittered delay or a randomized walk can be replayed.
public struct SplitMix64: RandomNumberGenerator, Sendable {
    private var state: UInt64

    public init(seed: UInt64) {
        self.state = seed
    }

    public mutating func next() -> UInt64 {
        state &+= 0x9E37_79B9_7F4A_7C15
        return Self.mix(state)
    }

    /// A uniformly distributed value in `0..<1` (53 bits of precision).
    public mutating func nextUnitInterval() -> Double {
        Double(next() >> 11) * 0x1p-53
    }

    /// `true` with probability `p` (clamped to 0...1). Always draws one value, so the
    /// sequence of draws does not depend on `p`.
    public mutating func chance(_ p: Double) -> Bool {
        let draw = nextUnitInterval()
        return draw < min(max(p, 0), 1)
    }

    /// The SplitMix64 finaliser: a stateless hash used to derive stable identifiers
    /// (batch ids, amounts) without consuming the generator.
    public static func mix(_ value: UInt64) -> UInt64 {
        var z = value
        z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
        z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
        return z ^ (z >> 31)
    }
}
