import Foundation
import Testing
@testable import MangroveSimulator

@Suite struct TimestampTests {
    @Test(arguments: [
        ("2025-03-31T23:59:59.000Z", "2025-03-31T23:59:59.000Z"),
        ("2025-01-01T00:00:00Z", "2025-01-01T00:00:00.000Z"),
        ("2025-01-01T01:00:00+01:00", "2025-01-01T00:00:00.000Z"),
        ("2024-12-31T19:00:00.5-0500", "2025-01-01T00:00:00.500Z"),
        ("2024-02-29T12:00:00.123456Z", "2024-02-29T12:00:00.123Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
    ])
    func normalises(input: String, expected: String) throws {
        let ms = try #require(Timestamp.parseMilliseconds(input))
        #expect(Timestamp.formatMilliseconds(ms) == expected)
    }

    @Test(arguments: ["", "2025-01-01", "2025-01-01T00:00:00", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
                      "2025-01-01T24:00:00Z", "2025-01-01T00:00:00.Z", "2025-01-01T00:00:00Zjunk", "x025-01-01T00:00:00Z"])
    func rejects(input: String) {
        #expect(Timestamp.parseMilliseconds(input) == nil)
    }

    @Test func formatsDates() {
        #expect(Timestamp.format(Date(timeIntervalSince1970: 1_743_508_800.0129)) == "2025-04-01T12:00:00.012Z")
        #expect(Timestamp.monthAndYear(milliseconds: Timestamp.parseMilliseconds("2025-12-31T23:59:59Z")!) == ("Dec", 2025))
    }
}
