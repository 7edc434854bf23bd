import Foundation

/// Parses the `Retry-After` response header (RFC 9110 §10.2.3) into a wait, as a pure
/// function of the header and the injected `now`.
///
/// | header                            | now                  | result |
/// |-----------------------------------|----------------------|--------|
/// | `120`                             | any                  | 120 s  |
/// | `Wed, 21 Oct 2015 07:28:00 GMT`   | 07:27:30 that day    | 30 s   |
/// | an HTTP-date in the past          | any                  | 0 s    |
/// | `-5`, `1.5`, `soon`, empty        | any                  | nil    |
///
/// HTTP-dates are accepted in all three RFC forms (IMF-fixdate, RFC 850, asctime).
/// Absurdly large values are returned as they are; `RetryPolicy.maxRetryAfter` clamps them.
public enum RetryAfter {
    public static func parse(_ header: String, now: Date) -> Duration? {
        let value = header.trimmingCharacters(in: .whitespaces)
        guard !value.isEmpty else { return nil }
        if value.utf8.allSatisfy({ $0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9") }) {
            // Up to ~31 years fits comfortably; longer digit strings saturate.
            guard value.utf8.count <= 9, let seconds = Int64(value) else { return .seconds(999_999_999) }
            return .seconds(seconds)
        }
        guard let date = httpDate(value) else { return nil }
        let seconds = date.timeIntervalSince(now)
        guard seconds > 0 else { return .zero }
        return .milliseconds(Int64((seconds * 1000).rounded(.up)))
    }

    private static let formats = [
        "EEE, dd MMM yyyy HH:mm:ss zzz",  // IMF-fixdate: Sun, 06 Nov 1994 08:49:37 GMT
        "EEEE, dd-MMM-yy HH:mm:ss zzz",  // RFC 850:     Sunday, 06-Nov-94 08:49:37 GMT
        "EEE MMM d HH:mm:ss yyyy",  // asctime:     Sun Nov  6 08:49:37 1994
    ]

    static func httpDate(_ value: String) -> Date? {
        let collapsed = value.split(separator: " ", omittingEmptySubsequences: true).joined(separator: " ")
        for format in formats {
            let formatter = DateFormatter()
            formatter.locale = Locale(identifier: "en_US_POSIX")
            formatter.timeZone = TimeZone(identifier: "GMT")
            formatter.dateFormat = format
            if let date = formatter.date(from: collapsed) { return date }
        }
        return nil
    }
}
