import Foundation
import Testing

@testable import MangroveClient

@Suite("Retry-After parsing")
struct RetryAfterTests {
    /// 2015-10-21T07:27:30Z
    static let now = Date(timeIntervalSince1970: 1_445_412_450)

    @Test("delay-seconds", arguments: [("0", 0), ("1", 1), ("120", 120), (" 7 ", 7), ("0030", 30)])
    func seconds(header: String, expected: Int64) {
        #expect(RetryAfter.parse(header, now: Self.now) == .seconds(expected))
    }

    @Test("IMF-fixdate relative to now")
    func imfFixdate() {
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:28:00 GMT", now: Self.now) == .seconds(30))
    }

    @Test("obsolete RFC 850 and asctime dates")
    func obsoleteDates() {
        #expect(RetryAfter.parse("Wednesday, 21-Oct-15 07:28:00 GMT", now: Self.now) == .seconds(30))
        #expect(RetryAfter.parse("Wed Oct 21 07:28:00 2015", now: Self.now) == .seconds(30))
        #expect(RetryAfter.parse("Wed Oct  1 07:28:00 2015", now: Date(timeIntervalSince1970: 1_443_684_450)) == .seconds(30))
    }

    @Test("a date in the past means no wait")
    func pastDate() {
        #expect(RetryAfter.parse("Wed, 21 Oct 2015 07:00:00 GMT", now: Self.now) == .zero)
    }

    @Test("garbage and negative values are ignored",
          arguments: ["", "   ", "-5", "-0", "1.5", "soon", "5s", "0x10", "Wed, 32 Oct 2015 07:28:00 GMT", "21 Oct 2015"])
    func garbage(header: String) {
        #expect(RetryAfter.parse(header, now: Self.now) == nil)
    }

    @Test("huge values saturate instead of overflowing")
    func huge() {
        let parsed = RetryAfter.parse("99999999999999999999999", now: Self.now)
        #expect(parsed != nil)
        #expect(parsed! > .seconds(86_400 * 365))
    }
}
