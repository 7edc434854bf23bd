import Foundation
import HTTPTypes
import MangroveAPI
import SchedulerCore
import Synchronization
import Testing

@testable import MangroveClient

/// What `HTTPBatchAPI` puts on the wire and how it reads answers the simulator never
/// gives, against a scripted loopback server.
@Suite("HTTPBatchAPI on the wire")
struct HTTPBatchAPIWireTests {
    static let task = #"{"id": 456, "type": "ProductionAccounting::BatchGeneration", "state": "pending", "progress": 0, "created_at": "2025-04-01T12:00:00.000Z", "surprise": {"a": [1, null]}}"#

    func configuration(_ server: ScriptedServer, maxAttempts: Int = 3) -> APIClientConfiguration {
        APIClientConfiguration(baseURL: server.baseURL + "/", retryPolicy: RetryPolicy(maxAttempts: maxAttempts))
    }

    @Test("headers: bearer token, Accept, User-Agent, Content-Type only with a body")
    func headers() async throws {
        try await ScriptedServer.with({ seen in
            seen.method == "POST" ? .init(status: 202, body: Self.task) : .init(status: 200, body: Self.task)
        }) { server in
            try await withHTTPBatchAPI(configuration: configuration(server)) { api, _, _ in
                _ = try await api.asyncTask(id: 456)
                _ = try await api.createBatchGeneration(ledgerID: "lgr_abc123def456", request: january)
            }
            let requests = server.requests
            #expect(requests.map(\.path) == ["/api/v1/async_tasks/456", "/api/v1/ledgers/lgr_abc123def456/batch_generations"])
            for request in requests {
                #expect(request.headers[.authorization] == "Bearer \(simToken)")
                #expect(request.headers[.accept] == "application/json")
                #expect(request.headers[.userAgent] == "mangrove-scheduler/\(MangroveSchedulerVersion.string)")
            }
            #expect(requests[0].headers[.contentType] == nil)
            #expect(requests[1].headers[.contentType] == "application/json")
            let body = try JSONDecoder().decode(BatchGenerationRequest.self, from: Data(requests[1].body.utf8))
            #expect(body == january)
            #expect(!requests[1].body.contains("data_point_ids"), "absent optionals are not sent")
        }
    }

    @Test("unknown fields and nulls decode")
    func tolerantDecoding() async throws {
        let ledgers = #"{"data": [{"id": "lgr_1", "name": null, "latest_model": null, "extra": true}], "meta": null}"#
        try await ScriptedServer.with({ _ in .init(status: 200, body: ledgers) }) { server in
            try await withHTTPBatchAPI(configuration: configuration(server)) { api, _, _ in
                let result = try await api.ledgers()
                #expect(result == [Ledger(id: "lgr_1")])
            }
        }
    }

    @Test("an undecodable 2xx on a GET is invalidResponse naming the endpoint and the problem")
    func undecodableGet() async throws {
        try await ScriptedServer.with({ _ in .init(status: 200, body: #"{"data": [{"name": "no id"}]}"#) }) { server in
            try await withHTTPBatchAPI(configuration: configuration(server)) { api, sleep, _ in
                let error = await apiError { try await api.requiredInputs(ledgerID: "lgr_1") }
                guard case .invalidResponse(let reason)? = error else {
                    Issue.record("expected invalidResponse, got \(String(describing: error))")
                    return
                }
                #expect(reason.contains("GET /ledgers/lgr_1/required_inputs"))
                #expect(reason.contains("data[0].id: missing key"))
                #expect(sleep.durations.isEmpty)
            }
        }
    }

    @Test("an undecodable 202 on the generation POST is outcome unknown (the server accepted it)")
    func undecodablePost() async throws {
        try await ScriptedServer.with({ _ in .init(status: 202, body: "<html>accepted</html>") }) { server in
            try await withHTTPBatchAPI(configuration: configuration(server)) { api, _, _ in
                let error = await apiError { try await api.createBatchGeneration(ledgerID: "lgr_1", request: january) }
                guard case .outcomeUnknown(let reason)? = error else {
                    Issue.record("expected outcomeUnknown, got \(String(describing: error))")
                    return
                }
                #expect(reason.contains("not valid JSON"))
            }
            #expect(server.requests.count == 1)
        }
    }

    @Test("Retry-After as an HTTP-date is measured from the injected now")
    func retryAfterDate() async throws {
        // The harness's now is 2026-01-01T00:00:00Z.
        let attempts = Counter()
        try await ScriptedServer.with({ _ in
            attempts.increment() == 1
                ? .init(status: 503, headers: ["Retry-After": "Thu, 01 Jan 2026 00:00:42 GMT"])
                : .init(status: 200, body: #"{"data": []}"#)
        }) { server in
            try await withHTTPBatchAPI(configuration: configuration(server)) { api, sleep, _ in
                let ledgers = try await api.ledgers()
                #expect(ledgers.isEmpty)
                #expect(sleep.durations.count == 1)
                #expect(sleep.durations.first.map { $0 >= .seconds(42) } == true)
            }
        }
    }

    @Test("a non-JSON error page gives the status and the page's first characters")
    func htmlErrorPage() async throws {
        try await ScriptedServer.with({ _ in .init(status: 502, body: "<html>Bad Gateway</html>") }) { server in
            try await withHTTPBatchAPI(configuration: configuration(server, maxAttempts: 2)) { api, sleep, _ in
                #expect(await apiError { try await api.asyncTask(id: 1) } == .http(status: 502, message: #"body is not the API's error JSON: "<html>Bad Gateway</html>""#))
                #expect(sleep.durations.count == 1)
            }
        }
    }

    @Test("the API's error messages are joined")
    func joinedMessages() async throws {
        let body = #"{"status": "error", "statusCode": 422, "errors": [{"message": "start_time is invalid"}, {"message": "end_time is invalid"}]}"#
        try await ScriptedServer.with({ _ in .init(status: 422, body: body) }) { server in
            try await withHTTPBatchAPI(configuration: configuration(server)) { api, _, _ in
                #expect(
                    await apiError { try await api.createBatchGeneration(ledgerID: "lgr_1", request: january) }
                        == .http(status: 422, message: "start_time is invalid; end_time is invalid")
                )
            }
        }
    }
}

/// A thread-safe counter for scripted replies.
final class Counter: Sendable {
    private let value = Mutex<Int>(0)
    /// Increments and returns the new value.
    func increment() -> Int { value.withLock { $0 += 1; return $0 } }
}
