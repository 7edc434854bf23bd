import AsyncHTTPClient
import Foundation
import Logging
import MangroveAPI
import MangroveSimulator
import NIOCore
import NIOHTTP1

/// A response as the tests inspect it.
struct SimResponse: Sendable {
    var status: Int
    var headers: HTTPHeaders
    var body: Data

    func decode<T: Decodable>(_ type: T.Type = T.self) throws -> T {
        try JSONDecoder().decode(T.self, from: body)
    }

    var errorMessages: [String] {
        ((try? decode(ErrorResponse.self))?.errors ?? []).compactMap(\.message)
    }

    var text: String { String(decoding: body, as: UTF8.self) }
}

/// Thin AsyncHTTPClient wrapper for talking to an in-process simulator.
struct SimTestClient: Sendable {
    let client: HTTPClient
    let handle: SimulatorHandle
    var token: String? = "sim-token"

    /// Runs `body` with a client on `handle`, always shutting the HTTP client down.
    static func with<T: Sendable>(
        _ handle: SimulatorHandle, _ body: (SimTestClient) async throws -> T
    ) async throws -> T {
        let client = HTTPClient(eventLoopGroupProvider: .singleton)
        do {
            let result = try await body(SimTestClient(client: client, handle: handle))
            try await client.shutdown()
            return result
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    /// `path` is relative to the API base URL, or absolute when it starts with `/_sim`.
    func send(
        _ method: HTTPMethod, _ path: String, json: String? = nil, token: String?? = .none,
        timeout: TimeAmount = .seconds(10)
    ) async throws -> SimResponse {
        let url = path.hasPrefix("/_sim") || path.hasPrefix("/api") ? handle.rootURL + path : handle.baseURL + path
        var request = HTTPClientRequest(url: url)
        request.method = method
        let bearer: String? = token ?? self.token
        if let bearer { request.headers.add(name: "Authorization", value: "Bearer \(bearer)") }
        if let json {
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(string: json))
        }
        let response = try await client.execute(request, timeout: timeout)
        let body = try await response.body.collect(upTo: 4 << 20)
        return SimResponse(status: Int(response.status.code), headers: response.headers, body: Data(buffer: body))
    }

    func get(_ path: String) async throws -> SimResponse { try await send(.GET, path) }

    func post(_ path: String, _ json: String) async throws -> SimResponse { try await send(.POST, path, json: json) }

    /// POSTs a generation for `start`...`end` on `ledger` and decodes the 202 task.
    func generate(_ ledger: String, _ start: String, _ end: String) async throws -> (SimResponse, AsyncTask?) {
        let response = try await post(
            APIPath.batchGenerations(ledger), #"{"start_time":"\#(start)","end_time":"\#(end)"}"#
        )
        return (response, try? response.decode(AsyncTask.self))
    }
}

extension SimulatorConfig {
    /// A small deterministic configuration for tests: pending 1 s, running 10 s.
    static func testing(
        failureRate: Double = 0, batchesPerGeneration: Int = 1, seed: UInt64 = 7, faults: [FaultRule] = []
    ) -> SimulatorConfig {
        var config = SimulatorConfig()
        config.taskPendingSeconds = 1
        config.taskDurationSeconds = 10
        config.taskFailureRate = failureRate
        config.batchesPerGeneration = batchesPerGeneration
        config.seed = seed
        config.faults = faults
        config.ledgers.append(
            SimulatedLedger(id: "lgr_nomodel", name: "No Model", cadence: "quarterly", latestModel: nil)
        )
        return config
    }
}

let ledgerID = "lgr_abc123def456"

/// `withSimulator` with a logger that keeps test output quiet.
func withTestSimulator<T: Sendable>(
    config: SimulatorConfig, now: @escaping @Sendable () -> Date = { Date() },
    _ body: @Sendable (SimulatorHandle) async throws -> T
) async throws -> T {
    var logger = Logger(label: "mangrove-sim-test")
    logger.logLevel = .warning
    return try await withSimulator(config: config, now: now, logger: logger, body)
}
