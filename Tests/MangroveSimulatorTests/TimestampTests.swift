import Foundation
import MangroveAPI
import Testing
@testable import MangroveSimulator

/// The simulator renders and reads timestamps with the client's own `UTCTimestamp`.
@Suite struct TimestampTests {
    @Test("request times are normalised to the API's rendering", arguments: [
        ("2025-03-31T23:59:59.000Z", "2025-03-31T23:59:59.000Z"),
        ("2025-01-01T00:00:00Z", "2025-01-01T00:00:00.000Z"),
        ("2025-01-01T01:00:00+01:00", "2025-01-01T00:00:00.000Z"),
        ("2024-12-31T19:00:00.5-05:00", "2025-01-01T00:00:00.500Z"),
        ("2024-02-29T12:00:00.123456Z", "2024-02-29T12:00:00.123Z"),
        ("1969-12-31T23:59:59.999Z", "1969-12-31T23:59:59.999Z"),
    ])
    func normalises(input: String, expected: String) throws {
        let body = Array(#"{"start_time": "\#(input)", "end_time": "2099-01-01T00:00:00Z"}"#.utf8)
        let range = try GenerationRequestValidator.validate(body).get()
        #expect(range.startTime == expected)
    }

    @Test("request times that are not RFC 3339 date-times are refused", arguments: [
        "", "2025-01-01", "2025-01-01T00:00:00", "2025-13-01T00:00:00Z", "2025-02-29T00:00:00Z",
        "2025-01-01T24:00:00Z", "2025-01-01T00:00:00.Z", "2025-01-01T00:00:00Zjunk", "x025-01-01T00:00:00Z",
        "2025-01-01T00:00:00-0500",
    ])
    func rejects(input: String) {
        let body = Array(#"{"start_time": "\#(input)", "end_time": "2099-01-01T00:00:00Z"}"#.utf8)
        guard case .failure(let problem) = GenerationRequestValidator.validate(body) else {
            Issue.record("\(input) was accepted")
            return
        }
        #expect(problem.message.contains("start_time is not an ISO 8601 date-time"))
    }

    @Test("the simulator's clock serves the nearest millisecond: .123 stays .123 (rounding down gave .122)")
    func clockRoundsToNearest() async throws {
        // 1_743_508_800.123 is stored as 1743508800.12299990…; × 1000 rounded down is …122.
        let clock = TestClock(Date(timeIntervalSince1970: 1_743_508_800.123))
        try await withTestSimulator(config: .testing(), now: clock.source) { sim in
            try await SimTestClient.with(sim) { api in
                let moved = try await api.post("/_sim/clock", #"{"advance_seconds": 1}"#)
                #expect(moved.text == #"{"now":"2025-04-01T12:00:01.123Z"}"#)
            }
        }
    }

    @Test("tracking ids take the UTC month and year of the batch's start", arguments: [
        (Int64(1_767_225_599_000), "Dec", 2025),  // 2025-12-31T23:59:59Z
        (Int64(0), "Jan", 1970),
        (Int64(-1), "Dec", 1969),
    ])
    func monthAndYear(ms: Int64, month: String, year: Int) {
        let got = SimulatorState.monthAndYear(milliseconds: ms)
        #expect(got.month == month && got.year == year)
    }
}
