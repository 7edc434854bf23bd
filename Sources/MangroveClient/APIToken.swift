import Foundation
import SchedulerCore

/// The Mangrove API bearer token. It prints as `<redacted>` everywhere (description,
/// debug description, `dump`/`Mirror`) so it cannot leak into a log line or an error by
/// accident; `redact(_:)` scrubs it from text produced by lower layers.
public struct APIToken: Sendable, CustomStringConvertible, CustomDebugStringConvertible, CustomReflectable {
    /// What a token is printed as.
    public static let redactedPlaceholder = "<redacted>"

    /// The secret itself; only the HTTP layer of this module reads it.
    let secret: String
    /// Where the token was found (e.g. `$CREDENTIALS_DIRECTORY/mangrove-api-token`), for a
    /// startup log line. Never contains the token.
    public let source: String

    /// A token from a known value (tests, the demo). Surrounding whitespace is trimmed.
    public init(_ secret: String, source: String = "explicit value") {
        self.secret = secret.trimmingTokenWhitespace()
        self.source = source
        let encoded = self.secret.addingPercentEncoding(withAllowedCharacters: Self.urlUnreserved)
        self.encodedSecret = encoded == self.secret ? nil : encoded
        self.isASCII = self.secret.utf8.allSatisfy { $0 < 0x80 }
    }

    /// The token percent-encoded, when that differs from the token.
    private let encodedSecret: String?
    /// An ASCII token can only occur in a text as its own bytes: a text without them is
    /// returned as it is, without the (slow) Character-by-Character replacement.
    private let isASCII: Bool

    public var description: String { Self.redactedPlaceholder }
    public var debugDescription: String { Self.redactedPlaceholder }
    public var customMirror: Mirror { Mirror(self, children: ["source": source]) }

    /// `text` with every occurrence of the token replaced by `<redacted>`. Use it on any
    /// string that may echo request data (error descriptions from the HTTP layer, server
    /// messages) before it reaches a log line or an `APIError`.
    /// The percent-encoded form (as a URL echoing the token, e.g. a redirect's `Location`,
    /// would carry it) is scrubbed too.
    public func redact(_ text: String) -> String {
        guard !secret.isEmpty else { return text }
        if isASCII, !ByteSearch.contains(text, secret), !(encodedSecret.map { ByteSearch.contains(text, $0) } ?? false) {
            return text
        }
        var result = text.replacing(secret, with: Self.redactedPlaceholder)
        if let encodedSecret {
            result = result.replacing(encodedSecret, with: Self.redactedPlaceholder)
        }
        return result
    }

    /// RFC 3986 unreserved characters: what a URL leaves unencoded.
    private static let urlUnreserved = CharacterSet(
        charactersIn: "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-._~")

    /// The `Authorization` header value.
    var authorizationHeaderValue: String { "Bearer \(secret)" }
}

extension String {
    /// Drops leading and trailing spaces, tabs, carriage returns and newlines (token files
    /// usually end in a newline).
    func trimmingTokenWhitespace() -> String {
        let isSpace: (Character) -> Bool = { $0 == " " || $0 == "\t" || $0 == "\n" || $0 == "\r" || $0 == "\r\n" }
        guard let first = firstIndex(where: { !isSpace($0) }), let last = lastIndex(where: { !isSpace($0) }) else {
            return ""
        }
        return String(self[first...last])
    }
}
