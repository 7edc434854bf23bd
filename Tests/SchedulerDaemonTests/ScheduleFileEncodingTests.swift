import Foundation
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// A schedule file that is not UTF-8 is refused with where its first invalid byte is.
@Suite("Schedule file encoding")
struct ScheduleFileEncodingTests {
    @Test("a Latin-1 byte on line 3 is reported as FILE:3:COL with its byte offset", arguments: [
        // (bytes before the bad one on its line, expected column)
        (#"  "ledgers": [{"id": "lgr_a", "name": "Gr"#, 42),
        ("", 1),
    ])
    func invalidByte(prefix: String, column: Int) throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let head = "{\n  \"api\": {\"base_url\": \"https://app.gomangrove.com/api/v1\"},\n"
        var bytes = Array((head + prefix).utf8)
        let offset = bytes.count
        bytes.append(0xFC)  // "ü" in Latin-1
        bytes += Array("e\"}]\n}\n".utf8)
        let path = folder.file("schedule.json")
        try Data(bytes).write(to: URL(fileURLWithPath: path))
        do {
            _ = try ScheduleFile.load(path: path)
            Issue.record("a non-UTF-8 schedule was accepted")
        } catch {
            let problem = try #require(error.problems.first)
            #expect(problem.line == 3)
            #expect(problem.column == column)
            #expect(problem.message.contains("byte offset \(offset), 0xFC"), "\(problem.message)")
            #expect(error.description.hasPrefix("\(path):3:\(column): the schedule file is not UTF-8 text: the first invalid byte is at line 3, column \(column)"), "\(error)")
        }
    }

    @Test("a schedule whose first period is more than 5 years back loads with a warning counting its periods")
    func catchUpWarning() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let path = folder.file("schedule.json")
        try #"{"api": {"base_url": "https://app.gomangrove.com/api/v1"}, "ledgers": [{"id": "lgr_a", "cadence": "yearly", "first_period_start": "2001-01-01"}]}"#
            .write(toFile: path, atomically: true, encoding: .utf8)
        let (_, warnings) = try ScheduleFile.load(path: path, now: UTCTimestamp.parse("2026-11-23T12:00:00Z")!)
        #expect(warnings.map(\.message) == ["2001-01-01T00:00:00.000Z is 25 years back (more than 5): 25 yearly periods would be generated, oldest first, before the ledger is up to date"])
    }
}
