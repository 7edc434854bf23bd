/// Where the first byte that is not valid UTF-8 sits in a file: the byte offset and the
/// line and column (columns count characters, 1-based, as `check` prints them).
public struct UTF8Position: Sendable, Hashable, CustomStringConvertible {
    public var byteOffset: Int
    public var line: Int
    public var column: Int
    /// The offending byte.
    public var byte: UInt8

    /// `line 3, column 7 (byte offset 42, 0xFF)`.
    public var description: String {
        let hex = String(byte, radix: 16, uppercase: true)
        return "line \(line), column \(column) (byte offset \(byteOffset), 0x\(hex.count < 2 ? "0" + hex : hex))"
    }

    /// The first invalid byte of `bytes`, or nil when they are all valid UTF-8.
    public static func firstInvalid(in bytes: some Collection<UInt8>) -> UTF8Position? {
        var iterator = bytes.makeIterator()
        var parser = Unicode.UTF8.ForwardParser()
        var offset = 0
        var line = 1
        var column = 1
        let array = Array(bytes)
        while true {
            switch parser.parseScalar(from: &iterator) {
            case .valid(let encoded):
                if encoded.count == 1, encoded.first == UInt8(ascii: "\n") {
                    line += 1
                    column = 1
                } else {
                    column += 1
                }
                offset += encoded.count
            case .error:
                return UTF8Position(byteOffset: offset, line: line, column: column, byte: array[offset])
            case .emptyInput:
                return nil
            }
        }
    }
}
