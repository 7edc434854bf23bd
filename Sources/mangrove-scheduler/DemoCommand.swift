import ArgumentParser
import Foundation
import Logging
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import Systemd

struct DemoCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "demo",
        abstract: "Run the daemon against the built-in API simulator with a sample schedule and print the outcomes.",
        discussion: """
            No setup and no token: the simulator listens on an ephemeral 127.0.0.1 port, the schedule has three \
            ledgers (monthly, quarterly in Australia/Sydney, daily) from 2025-01-01, and the journal goes to a \
            temporary folder. Time runs virtually, so months of catch-up take seconds.
            """)

    @Option(help: "Lowest log level shown while the demo runs.")
    var logLevel: Logger.Level = .warning
    @Option(help: "Write the demo's schedule and journal here instead of a new temporary folder.")
    var directory: String?

    func run() async throws {
        LogDestination.bootstrap(identifier: "mangrove-scheduler", level: logLevel)
        let folder = try directory.map(prepare) ?? makeTemporaryFolder()
        let outcome = try await DemoRun(folder: folder, start: Date()).run()
        print(outcome)
    }

    /// Creates `--directory` when missing; one clear line when it cannot be used.
    private func prepare(_ path: String) throws -> String {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) {
            guard isDirectory.boolValue else { throw demoDirectoryError("--directory \(path) is a file, not a folder") }
            guard FileManager.default.isWritableFile(atPath: path) else { throw demoDirectoryError("--directory \(path) is not writable by this user") }
            return path
        }
        do {
            try FileManager.default.createDirectory(atPath: path, withIntermediateDirectories: true)
        } catch {
            throw demoDirectoryError("--directory \(path) does not exist and cannot be created (\(String(cString: strerror(errno))))")
        }
        return path
    }

    private func demoDirectoryError(_ line: String) -> ExitCode {
        printError("mangrove-scheduler demo: \(line)")
        return ExitCode(1)
    }

    private func makeTemporaryFolder() throws -> String {
        var template = Array((NSTemporaryDirectory() + "/mangrove-demo-XXXXXX").utf8CString)
        guard let path = mkdtemp(&template) else { throw ValidationError("cannot create a temporary folder") }
        return String(cString: path)
    }
}
