/// A fast 64-bit digest of a byte stream (the xxHash64 algorithm), fed in pieces of any
/// size: what a checkpoint records of the journal bytes it covers, so a journal that was
/// rewritten, truncated or restored from another copy is told apart from the one the
/// checkpoint was made from. Not cryptographic: it guards against accidents, not attacks.
///
///     var d = JournalDigest()
///     d.update(bytes)          // any number of times, any sizes
///     d.value                  // the same for the same bytes, however they were split
public struct JournalDigest: Sendable, Hashable {
    private static let p1: UInt64 = 0x9E37_79B1_85EB_CA87
    private static let p2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private static let p3: UInt64 = 0x1656_67B1_9E37_79F9
    private static let p4: UInt64 = 0x85EB_CA77_C2B2_AE63
    private static let p5: UInt64 = 0x27D4_EB2F_1656_67C5

    private var v1: UInt64 = 0x60EA_27EE_ADC0_B5D6  // seed 0: p1 &+ p2
    private var v2: UInt64 = 0xC2B2_AE3D_27D4_EB4F
    private var v3: UInt64 = 0
    private var v4: UInt64 = 0x61C8_864E_7A14_3579  // 0 &- p1
    /// Bytes not yet making a 32-byte stripe.
    private var pending: [UInt8] = []
    public private(set) var length: UInt64 = 0

    public init() {}

    @inline(__always) private static func round(_ acc: UInt64, _ input: UInt64) -> UInt64 {
        var a = acc &+ input &* p2
        a = (a << 31) | (a >> 33)
        return a &* p1
    }

    @inline(__always) private static func merge(_ acc: UInt64, _ v: UInt64) -> UInt64 {
        (acc ^ round(0, v)) &* p1 &+ p4
    }

    @inline(__always) private static func load(_ p: UnsafeRawPointer, _ offset: Int) -> UInt64 {
        UInt64(littleEndian: p.loadUnaligned(fromByteOffset: offset, as: UInt64.self))
    }

    public mutating func update(_ bytes: UnsafeRawBufferPointer) {
        guard let base = bytes.baseAddress, !bytes.isEmpty else { return }
        length &+= UInt64(bytes.count)
        var i = 0
        if !pending.isEmpty {
            let take = min(32 - pending.count, bytes.count)
            pending.append(contentsOf: UnsafeRawBufferPointer(start: base, count: take))
            i = take
            guard pending.count == 32 else { return }
            pending.withUnsafeBytes { stripes($0.baseAddress!, 32) }
            pending.removeAll(keepingCapacity: true)
        }
        let whole = (bytes.count - i) & ~31
        if whole > 0 { stripes(base + i, whole) }
        i += whole
        if i < bytes.count { pending.append(contentsOf: UnsafeRawBufferPointer(start: base + i, count: bytes.count - i)) }
    }

    public mutating func update(_ bytes: [UInt8]) {
        bytes.withUnsafeBytes { update($0) }
    }

    private mutating func stripes(_ p: UnsafeRawPointer, _ count: Int) {
        var (a, b, c, d) = (v1, v2, v3, v4)
        var o = 0
        while o < count {
            a = Self.round(a, Self.load(p, o))
            b = Self.round(b, Self.load(p, o + 8))
            c = Self.round(c, Self.load(p, o + 16))
            d = Self.round(d, Self.load(p, o + 24))
            o += 32
        }
        (v1, v2, v3, v4) = (a, b, c, d)
    }

    /// The digest of every byte given so far.
    public var value: UInt64 {
        var h: UInt64
        if length >= 32 {
            h = ((v1 << 1) | (v1 >> 63)) &+ ((v2 << 7) | (v2 >> 57)) &+ ((v3 << 12) | (v3 >> 52)) &+ ((v4 << 18) | (v4 >> 46))
            h = Self.merge(h, v1)
            h = Self.merge(h, v2)
            h = Self.merge(h, v3)
            h = Self.merge(h, v4)
        } else {
            h = v3 &+ Self.p5  // seed 0
        }
        h &+= length
        pending.withUnsafeBytes { raw in
            var i = 0
            let n = raw.count
            while i + 8 <= n {
                h ^= Self.round(0, Self.load(raw.baseAddress!, i))
                h = ((h << 27) | (h >> 37)) &* Self.p1 &+ Self.p4
                i += 8
            }
            if i + 4 <= n {
                h ^= UInt64(UInt32(littleEndian: raw.baseAddress!.loadUnaligned(fromByteOffset: i, as: UInt32.self))) &* Self.p1
                h = ((h << 23) | (h >> 41)) &* Self.p2 &+ Self.p3
                i += 4
            }
            while i < n {
                h ^= UInt64(raw[i]) &* Self.p5
                h = ((h << 11) | (h >> 53)) &* Self.p1
                i += 1
            }
        }
        h ^= h >> 33
        h &*= Self.p2
        h ^= h >> 29
        h &*= Self.p3
        h ^= h >> 32
        return h
    }
}
