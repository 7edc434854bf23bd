import Foundation
import Logging
import MangroveAPI
import MangroveSimulator
import SchedulerCore
import Testing

@testable import MangroveClient

/// Nothing listening: the POST may be retried (nothing was sent) and ends `.unreachable`.
@Suite("HTTPBatchAPI with nothing listening")
struct ConnectionRefusedTests {
    /// A loopback port that was just free: a simulator bound it on port 0 and has shut down.
    static func freePort() async throws -> Int {
        var quiet = Logger(label: "mangrove-sim-test")
        quiet.logLevel = .warning
        return try await withSimulator(config: SimulatorConfig(), host: "127.0.0.1", port: 0, logger: quiet) { $0.port }
    }

    @Test("connection refused: the POST is handed back at once as not processed (the daemon journals it, then fires again)", arguments: ["127.0.0.1", "localhost"])
    func refused(host: String) async throws {
        let port = try await Self.freePort()
        let configuration = APIClientConfiguration(
            baseURL: "http://\(host):\(port)/api/v1", connectTimeout: .seconds(2), requestTimeout: .seconds(2),
            retryPolicy: RetryPolicy(maxAttempts: 3)
        )
        try await withHTTPBatchAPI(configuration: configuration) { api, sleep, logs in
            let error = await apiError {
                try await api.createBatchGeneration(ledgerID: "lgr_abc123def456", request: january)
            }
            guard case .notProcessed(let reason, nil, nil)? = error else {
                Issue.record("expected notProcessed, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("batch_generations"))
            #expect(reason.contains("refused") || reason.contains("could not connect"), "\(reason)")
            #expect(sleep.durations.isEmpty, "the client never waits to re-send a POST")
            #expect(logs.lines.filter { $0.hasPrefix("warning Retrying") }.isEmpty)
            #expect(logs.lines.allSatisfy { !$0.contains(simToken) })
        }
    }

    @Test("a GET with nothing listening is unreachable after the budget")
    func refusedGet() async throws {
        let port = try await Self.freePort()
        let configuration = APIClientConfiguration(
            baseURL: "http://127.0.0.1:\(port)/api/v1", retryPolicy: RetryPolicy(maxAttempts: 2)
        )
        try await withHTTPBatchAPI(configuration: configuration) { api, sleep, _ in
            let error = await apiError { try await api.ledgers() }
            guard case .unreachable? = error else {
                Issue.record("expected unreachable, got \(String(describing: error))")
                return
            }
            #expect(sleep.durations.count == 1)
        }
    }

    @Test("a malformed base URL fails at once as unreachable, without retries")
    func malformedBaseURL() async throws {
        let configuration = APIClientConfiguration(baseURL: "ftp://127.0.0.1/api/v1")
        try await withHTTPBatchAPI(configuration: configuration) { api, sleep, _ in
            let error = await apiError { try await api.asyncTask(id: 1) }
            guard case .unreachable? = error else {
                Issue.record("expected unreachable, got \(String(describing: error))")
                return
            }
            #expect(sleep.durations.isEmpty)
        }
    }

    @Test("a cancelled task sends nothing")
    func cancelledBeforeSending() async throws {
        let port = try await Self.freePort()
        let configuration = APIClientConfiguration(baseURL: "http://127.0.0.1:\(port)/api/v1")
        try await withHTTPBatchAPI(configuration: configuration) { api, sleep, logs in
            let task = Task {
                withUnsafeCurrentTask { $0?.cancel() }
                return try await api.createBatchGeneration(ledgerID: "lgr_abc123def456", request: january)
            }
            await #expect(throws: CancellationError.self) { try await task.value }
            #expect(sleep.durations.isEmpty)
            #expect(logs.lines.isEmpty, "no attempt was made")
        }
    }
}
