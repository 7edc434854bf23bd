import Foundation
import Logging
import Testing
@testable import Systemd

/// Where journald listens for native-protocol entries.
enum JournaldSocket {
    static let path = "/run/systemd/journal/socket"
}

/// Sends an entry through ``JournaldLogHandler`` and reads it back with `journalctl`.
///
/// Needs a running journald (`/run/systemd/journal/socket`). The build machines'
/// PID 1 is not systemd, so this usually skips here; `Tests/systemd/run.sh`
/// runs the test binary inside a real systemd where it does not skip.
@Suite(.enabled(
    if: FileManager.default.fileExists(atPath: JournaldSocket.path),
    "SKIP: no journald here (\(JournaldSocket.path) is missing); Tests/systemd/run.sh checks the real journal"
))
struct JournaldLiveTests {

    @Test func entryIsReadableWithItsFields() async throws {
        let marker = "t" + UUID().uuidString.replacingOccurrences(of: "-", with: "").lowercased()
        var handler = JournaldLogHandler(label: "journald-live-test", identifier: "mangrove-systemd-tests", metadataProvider: nil)
        handler.logLevel = .debug
        let logger = Logger(label: "journald-live-test") { _ in handler }
        logger.warning("live journald check", metadata: [
            "ledger_id": "lgr_live", "mangrove_event": "failed", "test_marker": .string(marker),
        ])

        // journald indexes asynchronously: poll (bounded, ~5 s at most) until the entry shows up.
        var entry: [String: Any]?
        for _ in 0..<50 where entry == nil {
            entry = try Self.readEntry(field: "TEST_MARKER", value: marker)
            if entry == nil { try await Task.sleep(for: .milliseconds(100)) }
        }
        let found = try #require(entry, "entry with TEST_MARKER=\(marker) never appeared in journalctl")
        #expect(found["MESSAGE"] as? String == "live journald check")
        #expect(found["PRIORITY"] as? String == "4")
        #expect(found["LEDGER_ID"] as? String == "lgr_live")
        #expect(found["MANGROVE_EVENT"] as? String == "failed")
        #expect(found["MESSAGE_ID"] as? String == MangroveMessageID.forEvent("failed"))
        #expect(found["SYSLOG_IDENTIFIER"] as? String == "mangrove-systemd-tests")
        #expect((found["CODE_FUNC"] as? String)?.isEmpty == false)
    }

    /// The first entry with `field=value`, via `journalctl -o json`.
    static func readEntry(field: String, value: String) throws -> [String: Any]? {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/journalctl")
        process.arguments = ["--no-pager", "-o", "json", "-n", "1", "\(field)=\(value)"]
        let output = Pipe()
        process.standardOutput = output
        process.standardError = FileHandle.nullDevice
        try process.run()
        let data = output.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard let line = String(decoding: data, as: UTF8.self).split(separator: "\n").first else { return nil }
        return try JSONSerialization.jsonObject(with: Data(line.utf8)) as? [String: Any]
    }
}

/// Without journald, libsystemd drops entries silently (`sd_journal_sendv` returns 0 on
/// ENOENT), so the handler cannot notice; this is why ``LogDestination`` picks journald
/// only when `JOURNAL_STREAM` proves journald holds our stderr.
@Suite(.enabled(
    if: !FileManager.default.fileExists(atPath: JournaldSocket.path),
    "journald is running here; this documents its absence"
))
struct JournaldAbsentTests {
    @Test func libsystemdDropsEntriesSilently() {
        let entry = JournalEntry(
            level: .info, message: "nobody listens", metadata: [:], identifier: "mangrove-systemd-tests",
            label: "t", file: "f.swift", function: "g()", line: 1
        )
        #expect(JournaldLogHandler.send(entry) == 0)
    }
}
