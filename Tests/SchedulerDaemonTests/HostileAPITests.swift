import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// The real daemon against an API that misbehaves the way real ones and their proxies do:
/// the token echoed in a task's error, in progress texts and in error bodies; an answer that
/// trickles; a 200 that is an HTML page; a redirect. Each test asserts the journal, the log
/// lines (what stderr/journald get), the STATUS= lines and the simulator's request log.
@Suite("Hostile API answers")
struct HostileAPITests {
    static let secret = "tok-S3CR3T-hostile-0042"
    static let pollMatch = FaultMatcher(method: "GET", endpoint: .asyncTask)
    static let postMatch = FaultMatcher(method: "POST", endpoint: .batchGenerations)

    static func config(_ ledgers: [SimulatedLedger], failureRate: Double = 0, faults: [FaultRule] = []) -> SimulatorConfig {
        var config = Fixture.config(ledgers, failureRate: failureRate, faults: faults)
        config.token = secret
        config.echoAuthInTaskError = true
        config.echoAuthInProgress = true
        config.echoAuthInErrors = true
        return config
    }

    /// The token is nowhere in the journal, the log lines or what systemd was told.
    static func expectNoLeak(_ h: DaemonHarness, _ log: RecordingLog, _ notifier: RecordingNotifier, sourceLocation: SourceLocation = #_sourceLocation) throws {
        let journal = try String(contentsOfFile: h.journalPath, encoding: .utf8)
        #expect(!journal.contains(secret), "the token is in the journal", sourceLocation: sourceLocation)
        for line in log.lines {
            #expect(!line.contains(secret), "the token is in a log line: \(line)", sourceLocation: sourceLocation)
        }
        for message in notifier.messages {
            #expect(!"\(message)".contains(secret), "the token was sent to systemd: \(message)", sourceLocation: sourceLocation)
        }
    }

    @Test("a token echoed in error_message, progress_description and errors[].message reaches no journal line, log line or STATUS=")
    func tokenEchoedEverywhere() async throws {
        // lgr_echo1 fails every task (error_message echoes the token); lgr_echo2 is unknown to the API (404 body echoes it).
        try await DaemonHarness.with(config: Self.config([Fixture.ledger("lgr_echo1")], failureRate: 1), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [
                Fixture.ledgerJSON("lgr_echo1", cadence: "monthly", first: "2026-10-01"),
                Fixture.ledgerJSON("lgr_echo2", cadence: "monthly", first: "2026-10-01"),
            ])
            let log = RecordingLog()
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier, log: log)
            let state = await running.drive(maxVirtualSeconds: 86_400) { Fixture.allTerminal($0, ledger: "lgr_echo1", count: 1) }
            try await running.stop()

            let failed = try #require(state.records(ledgerID: "lgr_echo1").values.first)
            #expect(failed.lastEvent == .failed)
            #expect(failed.lastError?.contains("Authentication context: Bearer <redacted>") == true, "\(failed.lastError ?? "nil")")
            let taskFailed = try Fixture.journalLines(h.journalPath).filter { $0["event"] as? String == "task_failed" }
            #expect(taskFailed.count == 2)
            #expect(taskFailed.allSatisfy { ($0["error"] as? String)?.contains("<redacted>") == true })
            let refused = try #require(state.records(ledgerID: "lgr_echo2").values.first)
            // Its batches cannot be listed (404): held, never POSTed.
            #expect(refused.lastEvent == .held)
            #expect(refused.lastError?.contains("record not found (Authentication context: Bearer <redacted>)") == true, "\(refused.lastError ?? "nil")")
            try Self.expectNoLeak(h, log, notifier)
            #expect(log.lines.contains { $0.contains("<redacted>") }, "the echoed texts were not logged at all")

            // The simulator did echo the token, every request was authorized, and nothing was generated twice.
            let requests = await h.sim.requests()
            #expect(requests.allSatisfy { $0.authorized })
            #expect(Fixture.requests(requests, .batchGenerations, ledger: "lgr_echo1").count == 3)
            #expect(requests.contains { $0.endpoint == .asyncTask && $0.status == 200 })
        }
    }

    @Test("a poll answer trickling at 2 bytes/s is cut at request_timeout, logged, polled again, and the period completes")
    func tricklingPoll() async throws {
        let faults = [FaultRule(match: Self.pollMatch, kind: .trickle(bytesPerSecond: 2), count: 1)]
        try await DaemonHarness.with(config: Self.config([Fixture.ledger("lgr_trickle1")], faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_trickle1", cadence: "monthly", first: "2026-10-01")])
            // request_timeout at its lower bound (PT1S): the test waits about one real second.
            var text = try String(contentsOfFile: h.schedulePath, encoding: .utf8)
            text = text.replacingOccurrences(of: #""base_url": "\#(h.sim.baseURL)" }"#, with: #""base_url": "\#(h.sim.baseURL)", "request_timeout": "PT1S" }"#)
            try text.write(toFile: h.schedulePath, atomically: true, encoding: .utf8)
            #expect(text.contains(#""request_timeout": "PT1S""#))
            let log = RecordingLog()
            let notifier = RecordingNotifier()
            let started = ContinuousClock.now
            let running = try await h.launch(notifier: notifier, log: log)
            let state = await running.drive { Fixture.allTerminal($0, ledger: "lgr_trickle1", count: 1) }
            try await running.stop()
            #expect(ContinuousClock.now - started < .seconds(10))
            #expect(state.records(ledgerID: "lgr_trickle1").values.first?.lastEvent == .completed)
            // Cut while the body trickles in, or (on a loaded machine) before even the status
            // line arrived: either way at request_timeout, and logged.
            #expect(log.lines.contains { $0.contains("request_timeout (1 s) ran out before the body was complete") || $0.contains("no answer within request_timeout (1 s)") },
                    "the cut-off poll was not logged")
            let polls = Fixture.requests(await h.sim.requests(), .asyncTask)
            #expect(polls.first?.fault?.name == "trickle")
            #expect(polls.count >= 2, "the poll was not repeated")
            #expect(Fixture.requests(await h.sim.requests(), .batchGenerations).count == 1)
            try Self.expectNoLeak(h, log, notifier)
        }
    }

    @Test("polls answered 200 with an HTML page (echoing the token) are logged with the page's start, polled again, and the period completes")
    func undecodablePolls() async throws {
        let faults = [FaultRule(match: Self.pollMatch, kind: .undecodable, count: 2)]
        try await DaemonHarness.with(config: Self.config([Fixture.ledger("lgr_html1")], faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_html1", cadence: "monthly", first: "2026-10-01")])
            let log = RecordingLog()
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier, log: log)
            let state = await running.drive { Fixture.allTerminal($0, ledger: "lgr_html1", count: 1) }
            try await running.stop()
            #expect(state.records(ledgerID: "lgr_html1").values.first?.lastEvent == .completed)
            #expect(log.lines.contains { $0.contains("could not be decoded") && $0.contains("<!DOCTYPE html>") }, "the undecodable answer was not logged")
            let requests = await h.sim.requests()
            #expect(Fixture.requests(requests, .asyncTask).prefix(2).allSatisfy { $0.fault?.name == "undecodable" })
            #expect(Fixture.requests(requests, .batchGenerations).count == 1)
            try Self.expectNoLeak(h, log, notifier)
        }
    }

    @Test("a POST redirected to a login page is journaled not_fired naming the Location (token redacted), never followed, fired again later")
    func redirectedPost() async throws {
        let faults = [FaultRule(match: Self.postMatch, kind: .redirect(location: FaultKind.defaultRedirectLocation), count: 1)]
        try await DaemonHarness.with(config: Self.config([Fixture.ledger("lgr_redirect1")], faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_redirect1", cadence: "monthly", first: "2026-10-01")])
            let log = RecordingLog()
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier, log: log)
            let state = await running.drive(maxVirtualSeconds: 86_400) { Fixture.allTerminal($0, ledger: "lgr_redirect1", count: 1) }
            try await running.stop()
            #expect(state.records(ledgerID: "lgr_redirect1").values.first?.lastEvent == .completed)
            let notFired = try Fixture.journalLines(h.journalPath).filter { $0["event"] as? String == "not_fired" }
            #expect(notFired.count == 1)
            let error = notFired.first?["error"] as? String ?? ""
            #expect(error.contains("HTTP 302: redirect to \"https://login.example.invalid/sso?access_token=<redacted>\" not followed"), "\(error)")
            let requests = await h.sim.requests()
            #expect(requests.allSatisfy { $0.path.hasPrefix("/api/v1/") }, "a redirect was followed")
            let posts = Fixture.requests(requests, .batchGenerations)
            #expect(posts.map(\.status) == [302, 202])
            try Self.expectNoLeak(h, log, notifier)
        }
    }
}
