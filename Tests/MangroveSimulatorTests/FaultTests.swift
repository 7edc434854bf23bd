import AsyncHTTPClient
import Foundation
import MangroveAPI
import MangroveSimulator
import Testing

@Suite struct FaultTests {
    static let january = ("2025-01-01T00:00:00.000Z", "2025-01-31T23:59:59.000Z")

    @Test(arguments: [429, 503])
    func throttlingCarriesRetryAfterAndIsNotProcessed(status: Int) async throws {
        let rule = FaultRule(
            match: FaultMatcher(method: "POST", endpoint: .batchGenerations),
            kind: .status(status, retryAfterSeconds: 7), count: 1
        )
        try await withTestSimulator(config: .testing(faults: [rule])) { sim in
            try await SimTestClient.with(sim) { (api) async throws -> Void in
                // Other endpoints are untouched by the rule.
                #expect(try await api.get(APIPath.ledgers).status == 200)
                let (response, _) = try await api.generate(ledgerID, Self.january.0, Self.january.1)
                #expect(response.status == status)
                #expect(response.headers.first(name: "Retry-After") == "7")
                #expect(try response.decode(ErrorResponse.self).statusCode == status)
                #expect(await sim.tasks().isEmpty)
                // The count is used up: the retry goes through.
                let (retry, task) = try await api.generate(ledgerID, Self.january.0, Self.january.1)
                #expect(retry.status == 202)
                #expect(task?.id == 1)
                let log = await sim.requests()
                #expect(log.map(\.status) == [200, status, 202])
                #expect(log[1].fault == .status(status, retryAfterSeconds: 7))
                #expect(log[1].processed == false)
                #expect(await sim.faults().first?.count == 0)
            }
        }
    }

    @Test func internalServerErrorHasNoRetryAfter() async throws {
        try await withTestSimulator(config: .testing(faults: [FaultRule(kind: .internalServerError, count: 1)])) { sim in
            try await SimTestClient.with(sim) { (api) async throws -> Void in
                let response = try await api.get(APIPath.ledgers)
                #expect(response.status == 500)
                #expect(response.headers.first(name: "Retry-After") == nil)
                #expect(response.errorMessages == ["internal server error"])
            }
        }
    }

    @Test func dropClosesTheConnectionAndProcessesNothing() async throws {
        let rule = FaultRule(match: FaultMatcher(endpoint: .batchGenerations), kind: .drop, count: 1)
        try await withTestSimulator(config: .testing(faults: [rule])) { sim in
            try await SimTestClient.with(sim) { (api) async throws -> Void in
                // AsyncHTTPClient reports the closed connection as `remoteConnectionClosed`.
                await #expect(throws: HTTPClientError.remoteConnectionClosed) {
                    _ = try await api.generate(ledgerID, Self.january.0, Self.january.1)
                }
                #expect(await sim.tasks().isEmpty)
                let log = await sim.requests()
                // Exactly one attempt reached the server: the client did not silently re-send.
                #expect(log.count == 1)
                #expect(log[0].status == nil)
                #expect(log[0].processed == false)
                #expect(log[0].fault == .drop)
                #expect(log[0].generationRequest == BatchGenerationRequest(startTime: Self.january.0, endTime: Self.january.1))
                // The next request, on a new connection, works.
                #expect(try await api.get(APIPath.ledgers).status == 200)
            }
        }
    }

    @Test func processThenDropCreatesTheTaskButTheClientGetsAnError() async throws {
        let rule = FaultRule(match: FaultMatcher(method: "POST"), kind: .processThenDrop, count: 1)
        try await withTestSimulator(config: .testing(faults: [rule])) { sim in
            try await SimTestClient.with(sim) { (api) async throws -> Void in
                // Warm a pooled keep-alive connection so the POST reuses it.
                #expect(try await api.get(APIPath.ledgers).status == 200)
                await sim.clearRequests()
                await #expect(throws: HTTPClientError.remoteConnectionClosed) {
                    _ = try await api.generate(ledgerID, Self.january.0, Self.january.1)
                }
                let tasks = await sim.tasks()
                // Exactly one task: the client did not re-send the POST on a new connection.
                #expect(tasks.map(\.id) == [1])
                let log = await sim.requests()
                #expect(log.count == 1)
                #expect(log[0].processed)
                #expect(log[0].status == nil)
                #expect(log[0].createdTaskID == 1)
                #expect(log[0].fault == .processThenDrop)
                // The task is real: it can be polled.
                #expect(try await api.get(APIPath.asyncTask(1)).status == 200)
            }
        }
    }

    @Test func processThenStatusCreatesTheTaskAndAnswers502() async throws {
        let rule = FaultRule(match: FaultMatcher(pathPrefix: "/ledgers/"), kind: .processThenStatus(502), count: 1)
        try await withTestSimulator(config: .testing(faults: [rule])) { sim in
            try await SimTestClient.with(sim) { (api) async throws -> Void in
                let (response, _) = try await api.generate(ledgerID, Self.january.0, Self.january.1)
                #expect(response.status == 502)
                #expect(await sim.tasks().count == 1)
                #expect(await sim.requests().first?.processed == true)
            }
        }
    }

    @Test func latencyDelaysTheAnswer() async throws {
        let rule = FaultRule(match: FaultMatcher(endpoint: .ledgers), kind: .latency(milliseconds: 300))
        try await withTestSimulator(config: .testing(faults: [rule])) { sim in
            try await SimTestClient.with(sim) { (api) async throws -> Void in
                let started = ContinuousClock.now
                #expect(try await api.get(APIPath.ledgers).status == 200)
                #expect(ContinuousClock.now - started >= .milliseconds(300))
                // A client with a shorter timeout gives up.
                await #expect(throws: HTTPClientError.self) {
                    _ = try await api.send(.GET, APIPath.ledgers, timeout: .milliseconds(50))
                }
                // Unmatched endpoints are not delayed (and the log says which fault hit).
                #expect(try await api.get(APIPath.requiredInputs(ledgerID)).status == 200)
                let log = await sim.requests()
                #expect(log.first?.fault == .latency(milliseconds: 300))
                #expect(log.last?.fault == nil)
            }
        }
    }

    @Test func faultsChangeAtRuntimeInProcessAndOverHTTP() async throws {
        try await withTestSimulator(config: .testing()) { sim in
            try await SimTestClient.with(sim) { (api) async throws -> Void in
                #expect(try await api.get(APIPath.ledgers).status == 200)
                await sim.setFaults([FaultRule(kind: .serviceUnavailable(retryAfterSeconds: 3), count: 2)])
                #expect(try await api.get(APIPath.ledgers).status == 503)
                #expect(try await api.get(APIPath.ledgers).status == 503)
                #expect(try await api.get(APIPath.ledgers).status == 200)

                let replaced = try await api.post("/_sim/faults", #"{"faults":[{"kind":"too_many_requests","retry_after_seconds":4,"count":1}]}"#)
                #expect(replaced.status == 200)
                let limited = try await api.get(APIPath.ledgers)
                #expect(limited.status == 429)
                #expect(limited.headers.first(name: "Retry-After") == "4")
                // Admin endpoints are never faulted.
                let bare = try await api.post("/_sim/faults", #"[{"kind":"status","status":500}]"#)
                #expect(bare.status == 200)
                #expect(try await api.get("/_sim/faults").decode(ListResponse<FaultRule>.self).data
                    == [FaultRule(kind: .internalServerError)])
                #expect(try await api.get(APIPath.ledgers).status == 500)
                let invalid = try await api.post("/_sim/faults", #"[{"kind":"explode"}]"#)
                #expect(invalid.status == 422)
                #expect(invalid.errorMessages.first?.contains("unknown fault kind") == true)
                await sim.setFaults([])
                #expect(try await api.get(APIPath.ledgers).status == 200)
            }
        }
    }

    @Test func firstMatchingRuleWins() async throws {
        let rules = [
            FaultRule(match: FaultMatcher(method: "GET", endpoint: .asyncTask), kind: .status(504, retryAfterSeconds: nil), count: 1),
            FaultRule(match: FaultMatcher(pathPrefix: "/api/v1/async_tasks"), kind: .status(502, retryAfterSeconds: nil), count: 1),
        ]
        try await withTestSimulator(config: .testing(faults: rules)) { sim in
            try await SimTestClient.with(sim) { (api) async throws -> Void in
                #expect(try await api.get(APIPath.asyncTask(1)).status == 504)
                #expect(try await api.get(APIPath.asyncTask(1)).status == 502)
                #expect(try await api.get(APIPath.asyncTask(1)).status == 404)
            }
        }
    }

    @Test func slowPostStillCreatesTheTaskAfterTheClientGaveUp() async throws {
        let rule = FaultRule(match: FaultMatcher(endpoint: .batchGenerations), kind: .latency(milliseconds: 600), count: 1)
        try await withTestSimulator(config: .testing(faults: [rule])) { sim in
            try await SimTestClient.with(sim) { (api) async throws -> Void in
                await #expect(throws: HTTPClientError.self) {
                    _ = try await api.send(
                        .POST, APIPath.batchGenerations(ledgerID),
                        json: #"{"start_time":"2025-01-01T00:00:00.000Z","end_time":"2025-01-31T23:59:59.000Z"}"#,
                        // Long enough to connect and send even on a loaded machine, shorter than the latency.
                        timeout: .milliseconds(200)
                    )
                }
                // The server finishes the request after its latency (bounded wait, ms scale).
                var tasks = await sim.tasks()
                for _ in 0..<150 where tasks.isEmpty {
                    try await Task.sleep(for: .milliseconds(20))
                    tasks = await sim.tasks()
                }
                #expect(tasks.count == 1)
                #expect(await sim.requests().first?.status == 202)
            }
        }
    }
}
