import SchedulerCore
import Testing

@Suite struct SplitMix64Tests {
    @Test("SplitMix64 gives the reference sequence, and unit draws stay in 0..<1")
    func stable() {
        var generator = SplitMix64(seed: 0)
        // Reference values of SplitMix64 seeded with 0.
        #expect(generator.next() == 0xE220_A839_7B1D_CDAF)
        #expect(generator.next() == 0x6E78_9E6A_A1B9_65F4)
        var unit = SplitMix64(seed: 99)
        for _ in 0..<1000 {
            let value = unit.nextUnitInterval()
            #expect(value >= 0 && value < 1)
        }
    }

    @Test("ClosureRNG draws from its closure")
    func closure() {
        var rng = ClosureRNG(next: { 42 })
        #expect(rng.next() == 42)
        #expect(Int.random(in: 0..<10, using: &rng) == Int.random(in: 0..<10, using: &rng))
    }
}
