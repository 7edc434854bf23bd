import Foundation

/// Finding a byte string in bytes: `memchr` for its first byte, then a compare. Used where
/// a line or a text is tested without decoding it (`journal --ledger`, token redaction).
public enum ByteSearch {
    /// Whether `needle` occurs in `bytes` (an empty needle occurs nowhere).
    public static func contains(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: UnsafeBufferPointer<UInt8>) -> Bool {
        guard let base = bytes.baseAddress, let n = needle.baseAddress, needle.count > 0, needle.count <= bytes.count else { return false }
        let last = bytes.count - needle.count
        var at = 0
        while at <= last, let hit = memchr(base + at, Int32(needle[0]), last - at + 1) {
            let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
            if memcmp(base + i, n, needle.count) == 0 { return true }
            at = i + 1
        }
        return false
    }

    /// Whether the UTF-8 of `text` holds the UTF-8 of `needle`.
    public static func contains(_ text: String, _ needle: String) -> Bool {
        var text = text, needle = needle
        return text.withUTF8 { t in needle.withUTF8 { contains(t, $0) } }
    }
}
