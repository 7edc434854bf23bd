import Foundation
import SchedulerTestSupport
import Testing

/// The rough edges a new user met, through the real executables and scripts.
@Suite("CLI rough edges", .serialized)
struct RoughEdgeCLITests {
    static let repoRoot = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent().path

    /// Runs a program to completion (bounded) and returns its exit status, stdout and stderr.
    static func run(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws -> (status: Int32, out: String, err: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = ChildProcess.environment().merging(environment) { $1 }
        let out = Pipe(), err = Pipe()
        process.standardOutput = out
        process.standardError = err
        try process.run()
        let outData = out.fileHandleForReading.readDataToEndOfFile()
        let errData = err.fileHandleForReading.readDataToEndOfFile()
        let deadline = ContinuousClock.now + .seconds(30)
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: outData, as: UTF8.self), String(decoding: errData, as: UTF8.self))
    }

    static var scheduler: String { ProcessKillTests.binDir + "/mangrove-scheduler" }

    @Test("journal --ledger with an id in neither the schedule nor the journal is an error naming both", .enabled(if: ProcessKillTests.executablesBuilt))
    func journalUnknownLedger() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        try #"{"api":{"base_url":"http://127.0.0.1:1/api/v1"},"journal_path":"j.jsonl","ledgers":[{"id":"lgr_a","cadence":"daily","first_period_start":"2026-11-25"}]}"#
            .write(toFile: folder.file("s.json"), atomically: true, encoding: .utf8)
        let r = try Self.run(Self.scheduler, ["journal", "--config", folder.file("s.json"), "--ledger", "lgr_nope"])
        #expect(r.status != 0)
        #expect(r.err.contains("unknown ledger \"lgr_nope\""), "\(r.err)")
        #expect(!r.out.contains("no periods"))
        let known = try Self.run(Self.scheduler, ["journal", "--config", folder.file("s.json"), "--ledger", "lgr_a"])
        #expect(known.status == 0, "\(known.err)")
    }

    @Test("run --help names where the token comes from, the exit codes and the default --config", .enabled(if: ProcessKillTests.executablesBuilt))
    func runHelp() throws {
        let r = try Self.run(Self.scheduler, ["run", "--help"])
        #expect(r.status == 0)
        for text in ["CREDENTIALS_DIRECTORY", "token_file", "MANGROVE_API_TOKEN", "Exit codes", "78", "/etc/mangrove-scheduler/schedule.json"] {
            #expect(r.out.contains(text), "run --help lacks \(text)")
        }
    }

    @Test("install.sh --help is whole; --dry-run says what it would do and never that it installed")
    func installScript() throws {
        let script = Self.repoRoot + "/deploy/install.sh"
        let help = try Self.run("/bin/bash", [script, "--help"])
        #expect(help.status == 0)
        #expect(help.out.contains("--dry-run") && help.out.contains("DESTDIR"), "\(help.out)")
        #expect(help.out.hasSuffix("\n") && !help.out.hasSuffix(",\n"))
        guard ProcessKillTests.executablesBuilt else { return }
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let dry = try Self.run("/bin/bash", [script, "--dry-run", "--binary", Self.scheduler], environment: ["DESTDIR": folder.file("dest")])
        #expect(dry.status == 0, "\(dry.err)")
        #expect(dry.out.contains("would install the example schedule"))
        #expect(!dry.out.lowercased().contains("installed the example"))
        #expect(!FileManager.default.fileExists(atPath: folder.file("dest")), "a dry run changes nothing")
    }
}
