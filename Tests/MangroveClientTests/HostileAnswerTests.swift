import Foundation
import MangroveAPI
import MangroveSimulator
import SchedulerCore
import Testing

@testable import MangroveClient

/// Answers of an API (or its proxies) that misbehave: the token echoed back in every text
/// field, a body that trickles in, a 200 that is not JSON, a redirect. Each test asserts
/// what the caller gets, what reaches the log lines, and what the simulator saw.
@Suite("HTTPBatchAPI against hostile answers")
struct HostileAnswerTests {
    static let ledgerID = "lgr_abc123def456"
    static let taskMatch = FaultMatcher(method: "GET", endpoint: .asyncTask)

    /// Nothing the client handed out or logged contains the token.
    static func expectNoToken(_ texts: [String], _ what: String, sourceLocation: SourceLocation = #_sourceLocation) {
        for text in texts {
            #expect(!text.contains(simToken), "the token leaked into \(what): \(text)", sourceLocation: sourceLocation)
        }
    }

    static func echoing(failureRate: Double = 0) -> SimulatorConfig {
        SimulatorConfig(
            token: simToken, taskFailureRate: failureRate, echoAuthInTaskError: true, echoAuthInProgress: true,
            echoAuthInErrors: true
        )
    }

    @Test("a failed task's error_message echoing the Authorization header comes out redacted")
    func taskErrorRedacted() async throws {
        try await withClientScenario(simulator: Self.echoing(failureRate: 1)) { s in
            let created = try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january)
            await s.sim.advanceClock(bySeconds: 60)
            let task = try await s.api.asyncTask(id: created.id)
            #expect(task.state == .failed)
            let message = try #require(task.errorMessage)
            #expect(message.contains("Authentication context: Bearer <redacted>"), "\(message)")
            Self.expectNoToken([message, "\(task)"], "the decoded task")
            Self.expectNoToken(s.logs.lines, "the log lines")
        }
    }

    @Test("a running task's progress_description echoing the token comes out redacted")
    func progressRedacted() async throws {
        try await withClientScenario(simulator: Self.echoing()) { s in
            let created = try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january)
            await s.sim.advanceClock(bySeconds: 2)
            let task = try await s.api.asyncTask(id: created.id)
            #expect(task.state == .running)
            let description = try #require(task.progressDescription)
            #expect(description.contains("<redacted>"), "\(description)")
            Self.expectNoToken([description], "progress_description")
        }
    }

    @Test("errors[].message echoing the token: redacted in the APIError, the retry log and the exhausted error")
    func errorMessagesRedacted() async throws {
        try await withClientScenario(simulator: Self.echoing()) { s in
            // 404 (not retried) and 503 (retried, then exhausted).
            let notFound = try #require(await apiError { try await s.api.asyncTask(id: 999) })
            #expect(notFound.description.contains("<redacted>"))
            await s.sim.setFaults([FaultRule(match: Self.taskMatch, kind: .serviceUnavailable(retryAfterSeconds: 1))])
            let exhausted = try #require(await apiError { try await s.api.asyncTask(id: 1) })
            #expect(exhausted.status == 503)
            Self.expectNoToken(["\(notFound)", "\(exhausted)", String(reflecting: exhausted)], "the APIError")
            Self.expectNoToken(s.logs.lines, "the log lines")
            #expect(s.logs.lines.contains { $0.contains("Retrying") && $0.contains("<redacted>") })
            #expect(await s.requests(.asyncTask).count == 5, "one 404, then 4 attempts of the 503")
        }
    }

    @Test("a 200 that is an HTML page (echoing the token): invalidResponse quoting its start, redacted; the POST is outcome unknown")
    func undecodable() async throws {
        try await withClientScenario(simulator: Self.echoing()) { s in
            await s.sim.setFaults([FaultRule(kind: .undecodable, count: 2)])
            let get = try #require(await apiError { try await s.api.ledgers() })
            guard case .invalidResponse(let reason) = get else {
                Issue.record("expected invalidResponse, got \(get)")
                return
            }
            #expect(reason.contains("it starts with \"<!DOCTYPE html>"), "\(reason)")
            let post = try #require(await apiError { try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january) })
            guard case .outcomeUnknown(let why) = post else {
                Issue.record("expected outcomeUnknown, got \(post)")
                return
            }
            #expect(why.contains("the server accepted the request"))
            Self.expectNoToken(["\(get)", "\(post)"], "the APIError")
            Self.expectNoToken(s.logs.lines, "the log lines")
            let requests = await s.sim.requests()
            #expect(requests.map(\.fault?.name) == ["undecodable", "undecodable"])
            #expect(requests.last?.createdTaskID != nil, "the POST was processed: the outcome really is unknown")
        }
    }

    @Test("a redirect is not followed: the error names the Location (token redacted) and nothing else is requested")
    func redirect() async throws {
        try await withClientScenario(simulator: Self.echoing()) { s in
            await s.sim.setFaults([FaultRule(kind: .redirect(location: "https://login.example.invalid/sso?next=%2Fapi"))])
            let error = try #require(await apiError { try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january) })
            #expect(error.status == 302)
            #expect(error.description.contains("redirect to \"https://login.example.invalid/sso?next=%2Fapi&access_token=<redacted>\" not followed"), "\(error)")
            Self.expectNoToken(["\(error)"], "the APIError")
            Self.expectNoToken(s.logs.lines, "the log lines")
            let requests = await s.sim.requests()
            #expect(requests.count == 1, "the redirect was followed or retried: \(requests.map(\.path))")
            #expect(requests.first?.processed == false)
            #expect(s.sleep.durations.isEmpty)
        }
    }

    @Test("an answer trickling in past request_timeout is cut at the deadline and retried; a trickled POST is outcome unknown")
    func trickle() async throws {
        // 1 s: the untroubled requests of the test (a POST, a poll) must fit in it on a loaded machine.
        try await withClientScenario(requestTimeout: .seconds(1)) { s in
            await s.sim.setFaults([FaultRule(match: Self.taskMatch, kind: .trickle(bytesPerSecond: 8), count: 1)])
            let created = try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january)
            let started = ContinuousClock.now
            let task = try await s.api.asyncTask(id: created.id)
            let elapsed = ContinuousClock.now - started
            #expect(task.id == created.id)
            #expect(elapsed < .seconds(5), "the trickle held the poll for \(elapsed)")
            #expect(s.sleep.durations.count == 1, "the cut-off attempt was retried once")
            #expect(s.logs.lines.contains { $0.contains("Retrying") && $0.contains("request_timeout (1 s) ran out before the body was complete") }, "\(s.logs.lines)")
            let polls = await s.requests(.asyncTask)
            #expect(polls.map(\.fault?.name) == ["trickle", nil])

            await s.sim.setFaults([FaultRule(match: FaultMatcher(method: "POST", endpoint: .batchGenerations), kind: .trickle(bytesPerSecond: 8))])
            let error = try #require(await apiError { try await s.api.createBatchGeneration(ledgerID: Self.ledgerID, request: january) })
            guard case .outcomeUnknown(let reason) = error else {
                Issue.record("expected outcomeUnknown, got \(error)")
                return
            }
            #expect(reason.contains("request_timeout"))
            #expect(await s.requests(.batchGenerations).count == 2, "the trickled POST was sent again")
        }
    }

    @Test("Redactable scrubs every string field of every payload")
    func everyFieldRedacted() throws {
        let t = "tok-EVERYWHERE"
        let token = APIToken(t)
        let json = JSONValue.object([t: .array([.string("x \(t) y"), .number(1)])])
        let task = AsyncTask(
            id: 1, type: t, state: .unknown(t), progressDescription: t, createdAt: t, startedAt: t, finishedAt: t,
            errorMessage: t, result: json, args: json)
        let batch = Batch(
            id: t, trackingId: t, startTime: t, endTime: t, state: t, createdAt: t, updatedAt: t, primaryOutput: json,
            allocations: [json], modelRun: json, feedstocks: [json], inputData: [json], reportAllocations: [json],
            downstreamBatchAllocations: [json])
        let ledger = Ledger(
            id: t, name: t, unit: t, systemLedgerType: t, partitionType: t, cadence: t,
            latestModel: ModelReference(id: t, name: t), assetCategory: t, createdAt: t, updatedAt: t)
        let input = RequiredInput(
            id: 1, name: t, slug: t, unit: t, valueType: t, category: t, subcategory: t, allocationGroups: [json],
            outputOfLedgers: [json])
        let encoder = JSONEncoder()
        let encoded: [Data] = [
            try encoder.encode(task.redacted(token.redact)),
            try encoder.encode(ListResponse(data: [batch]).redacted(token.redact)),
            try encoder.encode(ListResponse(data: [ledger]).redacted(token.redact)),
            try encoder.encode(ListResponse(data: [input]).redacted(token.redact)),
            try encoder.encode(ListResponse(data: [PreviewEntry(id: t, name: t, count: 1)]).redacted(token.redact)),
            try encoder.encode(ErrorResponse(statusCode: 400, messages: [t]).redacted(token.redact)),
        ]
        for data in encoded {
            let text = String(decoding: data, as: UTF8.self)
            #expect(!text.contains(t), "\(text)")
            #expect(text.contains("<redacted>"))
        }
    }

    @Test("the percent-encoded token is redacted too")
    func percentEncoded() {
        let token = APIToken("a/b+c=")
        #expect(token.redact("x?access_token=a%2Fb%2Bc%3D&y") == "x?access_token=<redacted>&y")
        #expect(token.redact("Bearer a/b+c=") == "Bearer <redacted>")
    }
}
