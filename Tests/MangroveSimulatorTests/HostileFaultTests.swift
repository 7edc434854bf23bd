import AsyncHTTPClient
import Foundation
import MangroveAPI
import MangroveSimulator
import NIOCore
import NIOHTTP1
import Testing

/// The hostile fault kinds (`undecodable`, `trickle`, `redirect`) and the `echo_auth_in_*`
/// options, seen from a raw HTTP client that follows no redirect.
@Suite struct HostileFaultTests {
    static let january = #"{"start_time":"2025-01-01T00:00:00.000Z","end_time":"2025-01-31T23:59:59.000Z"}"#

    /// One raw request; redirects are never followed (the Location points off-host).
    static func send(_ sim: SimulatorHandle, _ method: HTTPMethod, _ path: String, json: String? = nil, timeout: TimeAmount = .seconds(10)) async throws -> (status: Int, headers: [(String, String)], body: String) {
        var configuration = HTTPClient.Configuration(redirectConfiguration: .disallow)
        configuration.timeout.read = .seconds(10)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration)
        do {
            var request = HTTPClientRequest(url: sim.baseURL + path)
            request.method = method
            request.headers.add(name: "Authorization", value: "Bearer \(sim.config.token)")
            if let json { request.body = .bytes(ByteBuffer(string: json)) }
            let response = try await client.execute(request, timeout: timeout)
            let body = try await response.body.collect(upTo: 1 << 20)
            try await client.shutdown()
            return (Int(response.status.code), response.headers.map { ($0.name, $0.value) }, String(buffer: body))
        } catch {
            try? await client.shutdown()
            throw error
        }
    }

    @Test func kindsRoundTripThroughJSON() throws {
        let rules = [
            #"{"kind": "undecodable"}"#: FaultKind.undecodable,
            #"{"kind": "trickle", "bytes_per_second": 3}"#: .trickle(bytesPerSecond: 3),
            #"{"kind": "redirect"}"#: .redirect(location: FaultKind.defaultRedirectLocation),
            #"{"kind": "redirect", "location": "https://x.invalid/"}"#: .redirect(location: "https://x.invalid/"),
        ]
        for (json, kind) in rules {
            let rule = try JSONDecoder().decode(FaultRule.self, from: Data(json.utf8))
            #expect(rule.kind == kind)
            #expect(try JSONDecoder().decode(FaultRule.self, from: JSONEncoder().encode(rule)) == rule)
        }
        #expect(throws: DecodingError.self) {
            try JSONDecoder().decode(FaultRule.self, from: Data(#"{"kind": "trickle", "bytes_per_second": 0}"#.utf8))
        }
    }

    @Test func undecodableIsAnHTMLPageAfterProcessing() async throws {
        var config = SimulatorConfig.testing(faults: [FaultRule(match: FaultMatcher(endpoint: .batchGenerations), kind: .undecodable, count: 1)])
        config.echoAuthInErrors = true
        try await withTestSimulator(config: config) { sim in
            let answer = try await Self.send(sim, .POST, APIPath.batchGenerations(ledgerID), json: Self.january)
            #expect(answer.status == 200)
            #expect(answer.body.hasPrefix("<!DOCTYPE html>"))
            #expect(answer.body.contains("Authorization: Bearer \(sim.config.token)"))
            #expect(answer.headers.contains { $0.0.lowercased() == "content-type" && $0.1.hasPrefix("text/html") })
            #expect(await sim.tasks().count == 1, "the generation was started all the same")
            #expect(await sim.requests().first?.fault == .undecodable)
        }
    }

    @Test func redirectIsNotProcessedAndCanEchoTheToken() async throws {
        var config = SimulatorConfig.testing(faults: [FaultRule(kind: .redirect(location: "https://login.example.invalid/sso"), count: 1)])
        config.echoAuthInErrors = true
        try await withTestSimulator(config: config) { sim in
            let answer = try await Self.send(sim, .POST, APIPath.batchGenerations(ledgerID), json: Self.january)
            #expect(answer.status == 302)
            let location = answer.headers.first { $0.0.lowercased() == "location" }?.1
            #expect(location == "https://login.example.invalid/sso?access_token=\(sim.config.token)")
            #expect(await sim.tasks().isEmpty)
            #expect(await sim.requests().first?.processed == false)
        }
    }

    @Test func trickleSendsTheRealAnswerSlowly() async throws {
        // 400 bytes a second: the task body (a few hundred bytes) takes one extra second at most.
        let config = SimulatorConfig.testing(faults: [FaultRule(match: FaultMatcher(endpoint: .ledgers), kind: .trickle(bytesPerSecond: 400), count: 1)])
        try await withTestSimulator(config: config) { sim in
            let started = ContinuousClock.now
            let answer = try await Self.send(sim, .GET, APIPath.ledgers)
            let elapsed = ContinuousClock.now - started
            #expect(answer.status == 200)
            let ledgers = try JSONDecoder().decode(ListResponse<Ledger>.self, from: Data(answer.body.utf8))
            #expect(ledgers.data.map(\.id) == sim.config.ledgers.map(\.id))
            let chunks = (answer.body.utf8.count + 399) / 400
            #expect(elapsed >= .seconds(chunks - 1) - .milliseconds(50), "\(elapsed) for \(chunks) chunks")
        }
    }

    @Test func echoAuthInTaskErrorAndProgress() async throws {
        var config = SimulatorConfig.testing(failureRate: 1)
        config.echoAuthInTaskError = true
        config.echoAuthInProgress = true
        config.echoAuthInErrors = true
        try await withTestSimulator(config: config) { sim in
            let created = try await Self.send(sim, .POST, APIPath.batchGenerations(ledgerID), json: Self.january)
            let task = try JSONDecoder().decode(AsyncTask.self, from: Data(created.body.utf8))
            _ = await sim.advanceClock(bySeconds: 2)
            let running = try JSONDecoder().decode(AsyncTask.self, from: Data(try await Self.send(sim, .GET, APIPath.asyncTask(task.id)).body.utf8))
            #expect(running.progressDescription?.hasSuffix("(Authentication context: Bearer \(sim.config.token))") == true)
            _ = await sim.advanceClock(bySeconds: 60)
            let failed = try JSONDecoder().decode(AsyncTask.self, from: Data(try await Self.send(sim, .GET, APIPath.asyncTask(task.id)).body.utf8))
            #expect(failed.state == .failed)
            #expect(failed.errorMessage == "Model run failed: simulated failure. Authentication context: Bearer \(sim.config.token)")
            let missing = try await Self.send(sim, .GET, APIPath.asyncTask(999))
            #expect(missing.status == 404)
            #expect(missing.body.contains("record not found (Authentication context: Bearer \(sim.config.token))"))
        }
    }
}
