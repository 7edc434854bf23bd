import Foundation
import MangroveAPI
import MangroveSimulator
import SchedulerCore
import Testing

@testable import MangroveClient

/// `HTTPBatchAPI` against the in-process simulator on 127.0.0.1: decoding, errors, and
/// the retry rule under injected faults. Sleeps are recorded, never waited.
@Suite("HTTPBatchAPI against the simulator")
struct HTTPBatchAPISimulatorTests {
    static let ledgerID = "lgr_abc123def456"

    @Test("every endpoint decodes the simulator's answers")
    func endpointsDecode() async throws {
        try await withClientScenario { s in
            let ledgers = try await s.api.ledgers()
            #expect(ledgers.map(\.id) == [Self.ledgerID])
            #expect(ledgers.first?.latestModel?.id == "mdl_xyz789")

            let inputs = try await s.api.requiredInputs(ledgerID: Self.ledgerID)
            #expect(inputs.map(\.name) == ["Mass of Feedstock Delivery", "Transport Distance"])

            let preview = try await s.api.generatePreview(ledgerID: Self.ledgerID, request: january)
            #expect(preview.first?.id == Self.ledgerID)

            let task = try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january)
            #expect(!task.state.isTerminal)
            #expect(try await s.api.asyncTask(id: task.id).id == task.id)

            await s.sim.advanceClock(bySeconds: 60)
            #expect(try await s.api.asyncTask(id: task.id).state == .complete)

            let batches = try await s.api.batches(ledgerID: Self.ledgerID)
            #expect(batches.count == 1)
            #expect(batches.first?.startTime == january.startTime)
            #expect(batches.first?.endTime == january.endTime)

            let requests = await s.sim.requests()
            #expect(requests.allSatisfy { $0.authorized }, "every request carries Authorization: Bearer <token>")
            let posted = await s.requests(.batchGenerations)
            #expect(posted.count == 1)
            #expect(posted.first?.generationRequest == january)
            let listing = await s.requests(.ledgerBatches)
            #expect(listing.first?.query == ["sort": "-created_at", "page": "1", "per_page": "100"])
            #expect(s.sleep.durations.isEmpty)
        }
    }

    @Test("batches are collected across pages, newest first")
    func batchesPaged() async throws {
        try await withClientScenario(simulator: SimulatorConfig(token: simToken, batchesPerGeneration: 5), pageSize: 2) {
            s in
            _ = try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january)
            await s.sim.advanceClock(bySeconds: 60)
            let batches = try await s.api.batches(ledgerID: Self.ledgerID)
            #expect(batches.count == 5)
            #expect(Set(batches.map(\.id)).count == 5)
            let pages = await s.requests(.ledgerBatches).map { $0.query["page"] }
            #expect(pages == ["1", "2", "3"])
        }
    }

    @Test("more pages than maxPages is an error, never a silently partial list")
    func tooManyPages() async throws {
        let simulator = SimulatorConfig(token: simToken, batchesPerGeneration: 5)
        try await withClientScenario(simulator: simulator, pageSize: 1, maxPages: 3) { s in
            _ = try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january)
            await s.sim.advanceClock(bySeconds: 60)
            let error = await apiError { try await s.api.batches(ledgerID: Self.ledgerID) }
            guard case .invalidResponse(let reason)? = error else {
                Issue.record("expected invalidResponse, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("partial"))
            #expect(await s.requests(.ledgerBatches).count == 3)
        }
    }

    @Test("a wrong token gives HTTP 401 with the API's message, never the token")
    func unauthorized() async throws {
        try await withClientScenario(token: "wrong-token-XYZZY") { s in
            let error = await apiError { try await s.api.ledgers() }
            #expect(error == .http(status: 401, message: "unauthorized"))
            #expect(error?.description.contains("XYZZY") == false)
            #expect(await s.sim.requests().count == 1, "401 is not retried")
            #expect(s.logs.lines.allSatisfy { !$0.contains("XYZZY") })
        }
    }

    @Test("an unknown ledger or task is HTTP 404 \"record not found\", not retried")
    func notFound() async throws {
        try await withClientScenario { s in
            #expect(
                await apiError { try await s.api.requiredInputs(ledgerID: "lgr_missing") }
                    == .http(status: 404, message: "record not found")
            )
            #expect(await apiError { try await s.api.asyncTask(id: 999_999) } == .http(status: 404, message: "record not found"))
            #expect(
                await apiError { try await s.api.createBatchGeneration(ledgerID: "lgr_missing", request: january) }
                    == .http(status: 404, message: "record not found")
            )
            #expect(await s.sim.requests().count == 3)
            #expect(s.sleep.durations.isEmpty)
        }
    }

    @Test("429 on a GET is retried after at least Retry-After; a 503 with Retry-After on the POST is handed back at once as not processed")
    func retryAfterHonoured() async throws {
        try await withClientScenario { s in
            await s.sim.setFaults([
                FaultRule(match: FaultMatcher(endpoint: .ledgers), kind: .tooManyRequests(retryAfterSeconds: 7), count: 1),
                FaultRule(
                    match: FaultMatcher(endpoint: .batchGenerations), kind: .serviceUnavailable(retryAfterSeconds: 11),
                    count: 1),
            ])
            #expect(try await s.api.ledgers().count == 1)
            // The daemon journals `not_fired` before waiting, so the client must not wait itself.
            let refused = await apiError { try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january) }
            guard case .notProcessed(_, let status, let retryAfter)? = refused else {
                Issue.record("expected notProcessed, got \(String(describing: refused))")
                return
            }
            #expect(status == 503)
            #expect(retryAfter == .seconds(11))
            let task = try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january)

            #expect(s.sleep.durations.count == 1)
            #expect(s.sleep.durations[0] >= .seconds(7))
            let posts = await s.requests(.batchGenerations)
            #expect(posts.map(\.status) == [503, 202])
            #expect(posts.map(\.processed) == [false, true])
            #expect(await s.sim.tasks().map(\.id) == [task.id])
        }
    }

    @Test("a 500 on the generation POST is outcome unknown after exactly one POST")
    func serverErrorOnPost() async throws {
        try await withClientScenario { s in
            await s.sim.setFaults([FaultRule(match: FaultMatcher(endpoint: .batchGenerations), kind: .internalServerError)])
            let error = await apiError { try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january) }
            guard case .outcomeUnknown(let reason) = error else {
                Issue.record("expected outcomeUnknown, got \(String(describing: error))")
                return
            }
            #expect(reason.contains("500"))
            #expect(await s.requests(.batchGenerations).count == 1)
            #expect(s.sleep.durations.isEmpty)
        }
    }

    @Test("502 and 504 after processing: outcome unknown, one POST, the task exists", arguments: [502, 504])
    func gatewayErrorAfterProcessing(status: Int) async throws {
        try await withClientScenario { s in
            await s.sim.setFaults([
                FaultRule(match: FaultMatcher(endpoint: .batchGenerations), kind: .processThenStatus(status))
            ])
            let error = await apiError { try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january) }
            #expect(error.isOutcomeUnknown)
            #expect(await s.requests(.batchGenerations).count == 1)
            #expect(await s.sim.tasks().count == 1)
        }
    }

    @Test("process_then_drop on the POST: outcome unknown, one POST, the task exists on the server")
    func processThenDrop() async throws {
        try await withClientScenario { s in
            await s.sim.setFaults([FaultRule(match: FaultMatcher(endpoint: .batchGenerations), kind: .processThenDrop)])
            let error = await apiError { try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january) }
            #expect(error.isOutcomeUnknown)
            #expect(await s.requests(.batchGenerations).count == 1)
            #expect(await s.sim.tasks().count == 1)
            #expect(s.sleep.durations.isEmpty)
        }
    }

    @Test("a dropped connection on a GET is retried and succeeds")
    func dropOnGet() async throws {
        try await withClientScenario { s in
            await s.sim.setFaults([FaultRule(match: FaultMatcher(endpoint: .requiredInputs), kind: .drop, count: 1)])
            let inputs = try await s.api.requiredInputs(ledgerID: Self.ledgerID)
            #expect(inputs.count == 2)
            #expect(await s.requests(.requiredInputs).count == 2)
            #expect(s.sleep.durations.count == 1)
            #expect(s.logs.lines.contains { $0.hasPrefix("warning Retrying Mangrove API request") })
        }
    }

    @Test("a read timeout after sending: GET retried, POST outcome unknown after one POST")
    func timeoutAfterSending() async throws {
        // 500 ms: the retried GET must answer within it even on a loaded 2-core machine.
        try await withClientScenario(requestTimeout: .milliseconds(500)) { s in
            await s.sim.setFaults([
                FaultRule(match: FaultMatcher(endpoint: .ledgers), kind: .latency(milliseconds: 900), count: 1),
                FaultRule(match: FaultMatcher(endpoint: .batchGenerations), kind: .latency(milliseconds: 900), count: 1),
            ])
            let ledgers = try await s.api.ledgers()
            #expect(ledgers.count == 1)
            // The timed-out request is logged by the simulator once its latency has passed.
            #expect(await eventually { await s.requests(.ledgers).count == 2 })

            let error = await apiError { try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january) }
            #expect(error.isOutcomeUnknown)
            #expect(await eventually { await s.requests(.batchGenerations).count == 1 })
            #expect(await s.requests(.batchGenerations).count == 1)
            #expect(await s.sim.tasks().count == 1, "the slow POST was processed: a blind re-send would double it")
        }
    }

    @Test("503 until the budget runs out gives HTTP 503 with the message")
    func budgetExhausted() async throws {
        try await withClientScenario(retryPolicy: RetryPolicy(maxAttempts: 3)) { s in
            await s.sim.setFaults([FaultRule(match: FaultMatcher(endpoint: .ledgers), kind: .serviceUnavailable(retryAfterSeconds: 1))])
            let error = await apiError { try await s.api.ledgers() }
            #expect(error?.status == 503)
            if case .http(_, let message)? = error { #expect(message?.isEmpty == false) }
            #expect(await s.requests(.ledgers).count == 3)
            #expect(s.sleep.durations.count == 2)

            // The POST is refused the same way (503 with Retry-After is "not processed"), but it
            // is handed back after one attempt: the daemon journals that, then fires again.
            await s.sim.setFaults([
                FaultRule(match: FaultMatcher(endpoint: .batchGenerations), kind: .serviceUnavailable(retryAfterSeconds: 1))
            ])
            let postError = await apiError { try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january) }
            #expect(postError?.status == 503)
            #expect(await s.requests(.batchGenerations).count == 1)
            #expect(s.sleep.durations.count == 2)
            #expect(await s.sim.tasks().isEmpty)
        }
    }

    @Test("the token never appears in errors or log lines")
    func tokenNeverLeaks() async throws {
        try await withClientScenario(retryPolicy: RetryPolicy(maxAttempts: 2)) { s in
            await s.sim.setFaults([
                FaultRule(match: FaultMatcher(endpoint: .ledgers), kind: .drop),
                FaultRule(match: FaultMatcher(endpoint: .batchGenerations), kind: .processThenDrop),
                FaultRule(match: FaultMatcher(endpoint: .requiredInputs), kind: .internalServerError),
            ])
            var errors: [APIError] = []
            if let error = await apiError({ try await s.api.ledgers() }) { errors.append(error) }
            if let error = await apiError({ try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january) }) {
                errors.append(error)
            }
            if let error = await apiError({ try await s.api.requiredInputs(ledgerID: Self.ledgerID) }) { errors.append(error) }
            #expect(errors.count == 3)
            for error in errors {
                #expect(!error.description.contains(simToken))
                #expect(!String(reflecting: error).contains(simToken))
            }
            #expect(!s.logs.lines.isEmpty)
            #expect(s.logs.lines.allSatisfy { !$0.contains(simToken) && !$0.contains("S3CR3T") })
        }
    }

    @Test("the online check reports existence, model and required inputs")
    func onlineCheck() async throws {
        let config = SimulatorConfig(
            token: simToken,
            ledgers: SimulatorConfig.defaultLedgers + [
                SimulatedLedger(id: "lgr_nomodel", name: "No Model", latestModel: nil, requiredInputs: [])
            ]
        )
        try await withClientScenario(simulator: config) { s in
            let statuses = try await APIOnlineCheck(api: s.api).run(ledgerIDs: [Self.ledgerID, "lgr_nomodel", "lgr_gone"])
            #expect(statuses.map(\.ledgerID) == [Self.ledgerID, "lgr_nomodel", "lgr_gone"])
            #expect(statuses.map(\.exists) == [true, true, false])
            #expect(statuses.map(\.hasLatestModel) == [true, false, false])
            #expect(
                statuses[0].requiredInputs == [
                    .init(name: "Mass of Feedstock Delivery", isManualSelect: false),
                    .init(name: "Transport Distance", isManualSelect: false),
                ]
            )
            #expect(statuses[0].requiredInputsError == nil)

            // A failing required_inputs call is reported on the ledger, not thrown.
            await s.sim.setFaults([FaultRule(match: FaultMatcher(endpoint: .requiredInputs), kind: .internalServerError)])
            let degraded = try await APIOnlineCheck(api: s.api).run(ledgerIDs: [Self.ledgerID])
            #expect(degraded.first?.exists == true)
            #expect(degraded.first?.requiredInputsError?.contains("HTTP 500") == true)

            // A failing ledger list (here: 401) fails the whole check.
            await s.sim.setFaults([FaultRule(match: FaultMatcher(endpoint: .ledgers), kind: .status(401, retryAfterSeconds: nil))])
            await #expect(throws: APIError.self) { try await APIOnlineCheck(api: s.api).run(ledgerIDs: [Self.ledgerID]) }
        }
    }
}

extension Optional where Wrapped == APIError {
    var isOutcomeUnknown: Bool {
        if case .outcomeUnknown? = self { return true }
        return false
    }
}
