/// Turns a swift-log metadata key into a valid journald field name.
///
/// journald drops fields whose names break its rules, so `ledger_id` must become
/// `LEDGER_ID` for `journalctl LEDGER_ID=…` to work. Rules applied, in order:
/// ASCII letters are upper-cased; any other character except digits and `_`
/// becomes `_`; leading underscores are removed (they mark trusted fields only
/// journald may set); a leading digit gets the prefix `F_`; the result is cut to
/// 64 characters; an empty result means "drop this key".
///
/// | key              | field |
/// |------------------|-------|
/// | `ledger_id`      | `LEDGER_ID` |
/// | `error.message`  | `ERROR_MESSAGE` |
/// | `_pid`           | `PID` |
/// | `2fa`            | `F_2FA` |
/// | `___`            | dropped |
public enum JournalFieldName {
    /// The longest field name journald accepts.
    public static let maximumLength = 64

    public static func sanitize(_ key: String) -> String? {
        // One output character per Unicode scalar, so "café_id" becomes "CAF__ID", not "CAF___ID".
        let bytes: [UInt8] = key.unicodeScalars.map { scalar in
            guard scalar.isASCII else { return UInt8(ascii: "_") }
            let byte = UInt8(scalar.value)
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"): return byte - 32
            case UInt8(ascii: "A")...UInt8(ascii: "Z"), UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "_"):
                return byte
            default: return UInt8(ascii: "_")
            }
        }
        let trimmed = bytes.drop(while: { $0 == UInt8(ascii: "_") })
        guard let first = trimmed.first else { return nil }
        var name = String(decoding: trimmed, as: UTF8.self)
        if first >= UInt8(ascii: "0") && first <= UInt8(ascii: "9") {
            name = "F_" + name
        }
        return String(name.prefix(maximumLength))
    }
}
