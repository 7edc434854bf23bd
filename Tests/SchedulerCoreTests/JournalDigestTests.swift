import Foundation
import SchedulerCore
import Testing

@Suite("JournalDigest: xxHash64 of a byte stream, however it is split")
struct JournalDigestTests {
    static func digest(_ text: String) -> UInt64 {
        var d = JournalDigest()
        d.update(Array(text.utf8))
        return d.value
    }

    @Test("known values of xxHash64 (seed 0)")
    func knownValues() {
        #expect(Self.digest("") == 0xEF46_DB37_51D8_E999)
        #expect(Self.digest("a") == 0xD24E_C4F1_A98C_6E5B)
        #expect(Self.digest("abc") == 0x44BC_2CF5_AD77_0999)
        #expect(Self.digest("Nobody inspects the spammish repetition") == 0xFBCE_A83C_8A37_8BF1)
    }

    @Test("the same value whatever the pieces")
    func splits() {
        var rng = SplitMix64(seed: 3)
        let bytes = (0..<1000).map { _ in UInt8(truncatingIfNeeded: rng.next()) }
        var whole = JournalDigest()
        whole.update(bytes)
        for _ in 0..<50 {
            var d = JournalDigest()
            var i = 0
            while i < bytes.count {
                let n = min(Int(rng.next() % 70), bytes.count - i)
                d.update(Array(bytes[i..<(i + n)]))
                i += n
            }
            #expect(d.value == whole.value)
            #expect(d.length == 1000)
        }
        var other = bytes
        other[500] ^= 1
        var changed = JournalDigest()
        changed.update(other)
        #expect(changed.value != whole.value)
    }
}
