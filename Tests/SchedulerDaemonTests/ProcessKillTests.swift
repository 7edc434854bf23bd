import AsyncHTTPClient
import Foundation
import MangroveAPI
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The real executables: `mangrove-sim` and `mangrove-scheduler run` as child processes,
/// the daemon killed with SIGKILL at several points and restarted. Short real-time
/// intervals (tasks of 0.2 s, polls from 0.1 s) keep it to a few seconds; every wait is
/// bounded and every process is stopped by PID.
@Suite("SIGKILLed daemon processes", .serialized)
struct ProcessKillTests {
    static let binDir: String = {
        let repo = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        return repo.appendingPathComponent(".build/debug").path
    }()

    /// Starts `mangrove-sim` on an ephemeral loopback port with 0.3 s tasks; returns it and its base URL.
    static func startSimulator(in folder: TemporaryFolder, seed: Int) throws -> (ChildProcess, String) {
        try #"{"token": "sim-token", "task_pending_seconds": 0.1, "task_duration_seconds": 0.2, "seed": \#(seed)}"#
            .write(toFile: folder.file("sim.json"), atomically: true, encoding: .utf8)
        let sim = try ChildProcess(binDir + "/mangrove-sim", ["--port", "0", "--config", folder.file("sim.json")])
        guard let line = sim.firstStdoutLine(timeout: .seconds(20)), let baseURL = line.split(separator: " ").last.map(String.init) else {
            sim.stop()
            throw CocoaError(.fileReadUnknown, userInfo: [NSLocalizedDescriptionKey: "mangrove-sim printed no address"])
        }
        return (sim, baseURL)
    }

    /// The simulator's own request log (`GET /_sim/requests`).
    static func simulatorRequests(_ baseURL: String) async throws -> [RecordedRequest] {
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        let response = try await client.execute(HTTPClientRequest(url: baseURL.replacingOccurrences(of: "/api/v1", with: "") + "/_sim/requests"), timeout: .seconds(10))
        let body = try await response.body.collect(upTo: 64 << 20)
        try await client.shutdown()
        return try JSONDecoder().decode(ListResponse<RecordedRequest>.self, from: Data(buffer: body)).data
    }

    static let ledger = "lgr_abc123def456"

    /// Writes `schedule.json`: one daily ledger whose first period began `daysBack` days ago,
    /// fast polls, `extra` top-level members (each followed by a comma). Returns how many
    /// periods are due now.
    static func writeDailySchedule(in folder: TemporaryFolder, baseURL: String, daysBack: Int, extra: String = "") throws -> Int {
        let first = UTCTimestamp.format(Date().addingTimeInterval(-Double(daysBack) * 86_400)).prefix(10)
        try """
            {"api": {"base_url": "\(baseURL)"}, "journal_path": "journal.jsonl",
             "polling": {"first_poll_after": "PT0.1S", "max_interval": "PT0.3S"}, \(extra)
             "limits": {"requests_per_second": 200},
             "ledgers": [{"id": "\(ledger)", "cadence": "daily", "first_period_start": "\(first)"}]}
            """.write(toFile: folder.file("schedule.json"), atomically: true, encoding: .utf8)
        let schedule = try ScheduleFile.load(path: folder.file("schedule.json")).schedule
        return LedgerPlanner(ledger: schedule.ledgers[0], records: [:]).duePeriods(records: [:], now: Date()).count
    }

    /// Whether the journal records `due` periods of the ledger, all completed.
    static func allCompleted(in folder: TemporaryFolder, due: Int) throws -> Bool {
        let records = try JournalFile.read(path: folder.file("journal.jsonl")).state.records(ledgerID: ledger)
        return records.count >= due && records.values.allSatisfy { $0.lastEvent == .completed }
    }

    /// `mangrove-scheduler run` on the folder's schedule, with the simulator's token.
    static func launchDaemon(in folder: TemporaryFolder) throws -> ChildProcess {
        try ChildProcess(binDir + "/mangrove-scheduler", ["run", "--config", folder.file("schedule.json")], environment: ["MANGROVE_API_TOKEN": "sim-token"])
    }

    static var executablesBuilt: Bool {
        FileManager.default.isExecutableFile(atPath: binDir + "/mangrove-scheduler")
            && FileManager.default.isExecutableFile(atPath: binDir + "/mangrove-sim")
    }

    @Test("kill -9 at many points: no period POSTed twice, every period completed", .enabled(if: executablesBuilt, "build mangrove-scheduler and mangrove-sim first"))
    func killNine() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (sim, baseURL) = try Self.startSimulator(in: folder, seed: 3)
        defer { sim.stop() }
        #expect(baseURL.hasPrefix("http://127.0.0.1:"))

        let due = try Self.writeDailySchedule(in: folder, baseURL: baseURL, daysBack: 12)
        #expect(due >= 11)
        func done() throws -> Bool { try Self.allCompleted(in: folder, due: due) }
        let killAfter: [Duration] = [.milliseconds(150), .milliseconds(400), .milliseconds(250), .milliseconds(700), .milliseconds(90)]
        var kills = 0
        for round in 0..<40 {
            let daemon = try Self.launchDaemon(in: folder)
            if round < killAfter.count {
                try await Task.sleep(for: killAfter[round])
                daemon.kill(SIGKILL)
                kills += 1
            } else {
                for _ in 0..<100 where try !done() { try await Task.sleep(for: .milliseconds(100)) }
                daemon.stop()
                #expect(daemon.exitStatus == 0, "SIGTERM should exit 0")
            }
            if try done() { break }
        }
        // The storm may finish the catch-up before the last planned kill (on a loaded machine
        // a test's sleep can outlast the whole catch-up).
        #expect(kills >= 1)
        #expect(try done())

        // The simulator's own record: one processed POST per period.
        let requests = try await Self.simulatorRequests(baseURL)
        let starts = requests.filter { $0.method == "POST" && $0.createdTaskID != nil }.compactMap { $0.generationRequest?.startTime }
        #expect(starts.count == due)
        #expect(Set(starts).count == starts.count, "a period was generated twice: \(starts.sorted())")
    }
}

extension ProcessKillTests {
    @Test("kill -9 storm with the journal replaced by an older copy: one processed POST per period", .enabled(if: executablesBuilt, "build mangrove-scheduler and mangrove-sim first"))
    func killNineWithOlderJournal() async throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let (sim, baseURL) = try Self.startSimulator(in: folder, seed: 5)
        defer { sim.stop() }

        let due = try Self.writeDailySchedule(
            in: folder, baseURL: baseURL, daysBack: 15,
            extra: #""recovery": {"reconcile_after": "PT1S", "reconcile_window": "PT2S"},"#)
        let journal = folder.file("journal.jsonl")
        func done() throws -> Bool { try Self.allCompleted(in: folder, due: due) }
        let killAfter: [Duration] = [.milliseconds(300), .milliseconds(500), .milliseconds(200), .milliseconds(600), .milliseconds(150), .milliseconds(400)]
        var backup: Data?
        var restored = false
        for round in 0..<40 {
            let daemon = try Self.launchDaemon(in: folder)
            if round < killAfter.count {
                try await Task.sleep(for: killAfter[round])
                daemon.kill(SIGKILL)
                if round == 1 { backup = try Data(contentsOf: URL(fileURLWithPath: journal)) }
                if round == 4, let backup {
                    // The disk died; last night's copy of the state directory comes back.
                    try backup.write(to: URL(fileURLWithPath: journal))
                    restored = true
                }
            } else {
                for _ in 0..<150 where try !done() { try await Task.sleep(for: .milliseconds(100)) }
                daemon.stop()
            }
            if try done() { break }
        }
        #expect(restored)
        #expect(try done())

        let requests = try await Self.simulatorRequests(baseURL)
        var perPeriod: [String: Int] = [:]
        for r in requests where r.method == "POST" && r.createdTaskID != nil {
            if let start = r.generationRequest?.startTime { perPeriod[start, default: 0] += 1 }
        }
        #expect(perPeriod.count == due)
        #expect(perPeriod.values.allSatisfy { $0 == 1 }, "periods generated more than once: \(perPeriod.filter { $0.value > 1 })")
    }
}

/// A child process with its stdout captured, stopped by PID.
final class ChildProcess: @unchecked Sendable {
    let process = Process()
    let stdout = Pipe()

    init(_ path: String, _ arguments: [String], environment: [String: String] = [:]) throws {
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = arguments
        process.environment = Self.environment(environment)
        process.standardOutput = stdout
        process.standardError = FileHandle.nullDevice
        try process.run()
    }

    /// This process's environment without what systemd would hand a service (so a test run
    /// under systemd does not leak its socket or credentials into the child), plus `extra`.
    static func environment(_ extra: [String: String] = [:]) -> [String: String] {
        var env = ProcessInfo.processInfo.environment
        for key in ["NOTIFY_SOCKET", "WATCHDOG_USEC", "WATCHDOG_PID", "JOURNAL_STREAM", "INVOCATION_ID", "CREDENTIALS_DIRECTORY"] { env[key] = nil }
        return env.merging(extra) { $1 }
    }

    func firstStdoutLine(timeout: Duration) -> String? {
        var data = Data()
        let deadline = ContinuousClock.now + timeout
        let fd = stdout.fileHandleForReading.fileDescriptor
        while ContinuousClock.now < deadline {
            var poll = pollfd(fd: fd, events: Int16(POLLIN), revents: 0)
            guard Glibc.poll(&poll, 1, 100) > 0 else { continue }
            var byte: UInt8 = 0
            guard read(fd, &byte, 1) == 1 else { return nil }
            if byte == 0x0A { return String(decoding: data, as: UTF8.self) }
            data.append(byte)
        }
        return nil
    }

    func kill(_ signal: Int32) {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, signal)
        process.waitUntilExit()
    }

    /// SIGTERM, then SIGKILL after 10 s.
    func stop() {
        guard process.isRunning else { return }
        Glibc.kill(process.processIdentifier, SIGTERM)
        let deadline = ContinuousClock.now + .seconds(10)
        while process.isRunning, ContinuousClock.now < deadline { usleep(10_000) }
        if process.isRunning { kill(SIGKILL) }
        process.waitUntilExit()
    }

    var exitStatus: Int32 { process.isRunning ? -1 : process.terminationStatus }
}
