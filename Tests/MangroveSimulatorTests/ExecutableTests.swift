import AsyncHTTPClient
import Foundation
import MangroveAPI
import Testing

/// Runs the built `mangrove-sim` binary as a child process.
@Suite struct ExecutableTests {
    /// `mangrove-sim` next to the test bundle, or in `.build/debug` of this package.
    static let executable: URL? = {
        var candidates: [URL] = []
        if let argument = CommandLine.arguments.first {
            var directory = URL(fileURLWithPath: argument).deletingLastPathComponent()
            // The test binary may sit inside a `.xctest` bundle directory.
            for _ in 0..<4 {
                candidates.append(directory.appendingPathComponent("mangrove-sim"))
                directory = directory.deletingLastPathComponent()
            }
        }
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        candidates.append(root.appendingPathComponent(".build/debug/mangrove-sim"))
        return candidates.first { FileManager.default.isExecutableFile(atPath: $0.path) }
    }()

    /// Collects a pipe's output on a background handler so the test can wait for a line.
    final class OutputCollector: @unchecked Sendable {
        private let lock = NSLock()
        private var data = Data()

        init(_ pipe: Pipe) {
            pipe.fileHandleForReading.readabilityHandler = { [weak self] handle in
                let chunk = handle.availableData
                guard let self else { return }
                self.lock.lock()
                self.data.append(chunk)
                self.lock.unlock()
                if chunk.isEmpty { handle.readabilityHandler = nil }
            }
        }

        var text: String {
            lock.lock()
            defer { lock.unlock() }
            return String(decoding: data, as: UTF8.self)
        }

        /// The first complete line, waiting at most `timeout` (polling every 20 ms).
        func firstLine(timeout: Duration) async throws -> String? {
            let deadline = ContinuousClock.now + timeout
            while ContinuousClock.now < deadline {
                if let line = text.split(separator: "\n", omittingEmptySubsequences: false).dropLast().first {
                    return String(line)
                }
                try await Task.sleep(for: .milliseconds(20))
            }
            return nil
        }
    }

    /// Waits (bounded) for the process to exit; returns its status or nil on timeout.
    static func waitForExit(_ process: Process, timeout: Duration) async throws -> Int32? {
        let deadline = ContinuousClock.now + timeout
        while process.isRunning {
            if ContinuousClock.now >= deadline { return nil }
            try await Task.sleep(for: .milliseconds(20))
        }
        return process.terminationStatus
    }

    @Test(
        .enabled(if: executable != nil, "mangrove-sim is not built: run `swift build --product mangrove-sim` first"),
        arguments: [SIGTERM, SIGINT]
    )
    func servesAndStopsOnSignal(signal: Int32) async throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["--port", "0", "--token", "exe-token", "--seed", "3", "--log-level", "warning"]
        let stdout = Pipe()
        let stderr = Pipe()
        process.standardOutput = stdout
        process.standardError = stderr
        let output = OutputCollector(stdout)
        let errors = OutputCollector(stderr)
        try process.run()
        let pid = process.processIdentifier
        var stopped = false
        defer {
            // Never leave the child behind, whatever failed above.
            if !stopped, process.isRunning { kill(pid, SIGKILL) }
        }

        let line = try #require(try await output.firstLine(timeout: .seconds(20)), "no listening line; stderr: \(errors.text)")
        let prefix = "mangrove-sim listening on "
        #expect(line.hasPrefix(prefix + "http://127.0.0.1:"))
        #expect(line.hasSuffix("/api/v1"))
        let baseURL = String(line.dropFirst(prefix.count))

        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            var request = HTTPClientRequest(url: baseURL + APIPath.ledgers)
            request.headers.add(name: "Authorization", value: "Bearer exe-token")
            let response = try await client.execute(request, timeout: .seconds(10))
            #expect(response.status.code == 200)
            let body = try await response.body.collect(upTo: 1 << 20)
            let ledgers = try JSONDecoder().decode(ListResponse<Ledger>.self, from: Data(buffer: body)).data
            #expect(ledgers.first?.id == "lgr_abc123def456")
            try await client.shutdown()
        } catch {
            try? await client.shutdown()
            throw error
        }

        #expect(kill(pid, signal) == 0)
        let status = try await Self.waitForExit(process, timeout: .seconds(10))
        stopped = status != nil
        #expect(status == 0, "stderr: \(errors.text)")
        #expect(process.terminationReason == .exit)
        // The token never reaches the logs.
        #expect(!errors.text.contains("exe-token"))
        #expect(output.text == line + "\n")
    }

    @Test(.enabled(if: executable != nil, "mangrove-sim is not built: run `swift build --product mangrove-sim` first"))
    func refusesNonLoopbackHost() async throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["--host", "0.0.0.0"]
        let stderr = Pipe()
        process.standardOutput = Pipe()
        process.standardError = stderr
        let errors = OutputCollector(stderr)
        try process.run()
        let pid = process.processIdentifier
        let status = try await Self.waitForExit(process, timeout: .seconds(10))
        if status == nil { kill(pid, SIGKILL) }
        #expect(status == 64)
        #expect(errors.text.contains("not a loopback address"))
    }

    @Test("mangrove-sim --version prints its version", .enabled(if: executable != nil, "mangrove-sim is not built"))
    func version() async throws {
        let process = Process()
        process.executableURL = Self.executable
        process.arguments = ["--version"]
        let stdout = Pipe()
        process.standardOutput = stdout
        process.standardError = Pipe()
        let output = OutputCollector(stdout)
        try process.run()
        let pid = process.processIdentifier
        let status = try await Self.waitForExit(process, timeout: .seconds(10))
        if status == nil { kill(pid, SIGKILL) }
        #expect(status == 0)
        #expect(output.text.hasPrefix("mangrove-sim (mangrove-scheduler "))
    }
}
