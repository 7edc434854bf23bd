import AsyncHTTPClient
import Foundation
import Logging
import MangroveAPI
import MangroveSimulator
import SchedulerCore
import SchedulerTestSupport
import Synchronization
import Testing

@testable import MangroveClient

/// Records every wait `HTTPBatchAPI` asks for and returns at once, so no test waits real time.
final class RecordingSleep: Sendable {
    private let recorded = Mutex<[Duration]>([])

    var durations: [Duration] { recorded.withLock { $0 } }

    var function: @Sendable (Duration) async throws -> Void {
        { [self] duration in recorded.withLock { $0.append(duration) } }
    }
}

/// The token the simulator expects; distinctive so a leak is easy to spot.
let simToken = "sim-token-S3CR3T-value"

/// Jitter pinned to the middle of the range.
let pinnedRandom: @Sendable () -> UInt64 = { UInt64.max / 2 }

/// A test scenario: a running simulator, a client pointed at it, and the recorders.
struct ClientScenario: Sendable {
    let api: HTTPBatchAPI
    let sim: SimulatorHandle
    let sleep: RecordingSleep
    let logs: RecordingLog

    /// The requests the simulator saw for `endpoint`.
    func requests(_ endpoint: SimulatorEndpoint) async -> [RecordedRequest] {
        await sim.requests().filter { $0.endpoint == endpoint }
    }
}

/// Runs `body` against a fresh in-process simulator on 127.0.0.1:0 with an `HTTPBatchAPI`
/// whose sleep is recorded, and shuts the `HTTPClient` down afterwards, also on failure.
func withClientScenario<T: Sendable>(
    simulator: SimulatorConfig = SimulatorConfig(token: simToken),
    token: String = simToken,
    retryPolicy: RetryPolicy = RetryPolicy(maxAttempts: 4),
    requestTimeout: Duration = .seconds(5),
    pageSize: Int = 100,
    maxPages: Int = 1000,
    _ body: @Sendable (ClientScenario) async throws -> T
) async throws -> T {
    var simLogger = Logger(label: "mangrove-sim-test")
    simLogger.logLevel = .warning
    return try await withSimulator(config: simulator, host: "127.0.0.1", port: 0, logger: simLogger) { sim in
        let configuration = APIClientConfiguration(
            baseURL: sim.baseURL, connectTimeout: .seconds(2), requestTimeout: requestTimeout,
            retryPolicy: retryPolicy, pageSize: pageSize, maxPages: maxPages
        )
        return try await withHTTPBatchAPI(configuration: configuration, token: token) { api, sleep, logs in
            try await body(ClientScenario(api: api, sim: sim, sleep: sleep, logs: logs))
        }
    }
}

/// An `HTTPBatchAPI` with recorded sleep and logs over a fresh `HTTPClient`, shut down afterwards.
func withHTTPBatchAPI<T: Sendable>(
    configuration: APIClientConfiguration,
    token: String = simToken,
    _ body: @Sendable (HTTPBatchAPI, RecordingSleep, RecordingLog) async throws -> T
) async throws -> T {
    let httpClient = HTTPClient(
        eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration.httpClientConfiguration
    )
    let sleep = RecordingSleep()
    let logs = RecordingLog()
    let api = HTTPBatchAPI(
        configuration: configuration, token: APIToken(token), httpClient: httpClient, logger: logs.logger(label: "mangrove-client-test"),
        sleep: sleep.function, now: { Date(timeIntervalSince1970: 1_767_225_600) }, random: pinnedRandom
    )
    let result: T
    do {
        result = try await body(api, sleep, logs)
    } catch {
        try? await httpClient.shutdown()
        throw error
    }
    try await httpClient.shutdown()
    return result
}

/// Runs `operation`, expecting an `APIError`, and returns it (nil and an issue otherwise).
func apiError<T>(_ operation: () async throws -> T) async -> APIError? {
    do {
        let value = try await operation()
        Issue.record("expected an APIError, got a result: \(value)")
        return nil
    } catch let error as APIError {
        return error
    } catch {
        Issue.record("expected an APIError, got \(type(of: error)): \(error)")
        return nil
    }
}

let january = BatchGenerationRequest(startTime: "2025-01-01T00:00:00.000Z", endTime: "2025-01-31T23:59:59.000Z")

/// Polls `condition` every 10 ms for at most `limit` (for server-side effects that land
/// after the client gave up, e.g. a request still sleeping in a latency fault).
func eventually(within limit: Duration = .seconds(2), _ condition: () async -> Bool) async -> Bool {
    let clock = ContinuousClock()
    let deadline = clock.now + limit
    while clock.now < deadline {
        if await condition() { return true }
        try? await Task.sleep(for: .milliseconds(10))
    }
    return await condition()
}
