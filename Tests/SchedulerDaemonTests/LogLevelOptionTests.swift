import Foundation
import SchedulerTestSupport
import Testing

/// `--log-level` of the real executables: a typo is a usage error (exit 64) naming the
/// valid levels, never a silent fall-back to the default.
@Suite("--log-level is typed", .serialized)
struct LogLevelOptionTests {
    /// Runs `binary arguments` to completion (bounded) and returns its exit status and stderr.
    static func run(_ binary: String, _ arguments: [String]) throws -> (status: Int32, stderr: String) {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: ProcessKillTests.binDir + "/" + binary)
        process.arguments = arguments
        var environment = ChildProcess.environment()
        environment["MANGROVE_API_TOKEN"] = nil
        process.environment = environment
        let stderr = Pipe()
        process.standardError = stderr
        process.standardOutput = FileHandle.nullDevice
        try process.run()
        // Bounded: a level that is wrongly accepted starts the program, which would not exit.
        let deadline = ContinuousClock.now + .seconds(20)
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        process.waitUntilExit()
        return (process.terminationStatus, String(decoding: stderr.fileHandleForReading.readDataToEndOfFile(), as: UTF8.self))
    }

    static let levels = ["trace", "debug", "info", "notice", "warning", "error", "critical"]

    @Test("a misspelt level is refused with the valid ones listed", .enabled(if: ProcessKillTests.executablesBuilt, "build mangrove-scheduler and mangrove-sim first"),
          arguments: [
              ("mangrove-scheduler", ["run", "--config", "/nonexistent/schedule.json", "--log-level", "warn"]),
              ("mangrove-scheduler", ["demo", "--log-level", "verbose"]),
              ("mangrove-sim", ["--port", "0", "--log-level", "inf"]),
          ])
    func typo(binary: String, arguments: [String]) throws {
        let (status, stderr) = try Self.run(binary, arguments)
        #expect(status == 64, "\(binary) \(arguments): exit \(status)\n\(stderr)")
        #expect(stderr.contains("--log-level"), "\(stderr)")
        // argument-parser lists them one a line: "Please provide one of the following:\n  - trace\n …"
        let listed = stderr.split(separator: "\n").map { $0.trimmingCharacters(in: .whitespaces) }
        #expect(Self.levels.allSatisfy { listed.contains("- \($0)") }, "\(stderr)")
    }

    @Test("a valid level is accepted: run goes on to load the schedule (exit 78 for a missing one)", .enabled(if: ProcessKillTests.executablesBuilt, "build mangrove-scheduler and mangrove-sim first"))
    func valid() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (status, stderr) = try Self.run("mangrove-scheduler", ["run", "--config", folder.file("missing.json"), "--log-level", "warning"])
        #expect(status == 78, "exit \(status)\n\(stderr)")
        #expect(!stderr.contains("--log-level"), "\(stderr)")
    }
}
