import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// API faults injected by the simulator: the daemon must never generate a period twice,
/// never lose one, and honour what the server asks (`Retry-After`).
@Suite("API faults")
struct FaultTests {
    static let postMatch = FaultMatcher(method: "POST", endpoint: .batchGenerations)
    static let pollMatch = FaultMatcher(method: "GET", endpoint: .asyncTask)
    static let recovery = #""recovery": {"reconcile_after": "PT30S", "reconcile_window": "PT10M"}"#

    /// Every request answered `status` by a fault was sent again, with the same body, no
    /// earlier than `retryAfter` seconds later (virtual time).
    static func expectRetryAfterHonoured(_ requests: [RecordedRequest], status: Int, retryAfter: Double) {
        let faulted = requests.filter { $0.status == status && $0.fault != nil }
        #expect(!faulted.isEmpty, "no request was answered \(status)")
        for f in faulted {
            let retry = requests.first { $0.sequence > f.sequence && $0.method == f.method && $0.path == f.path }
            #expect(retry != nil, "\(f.method) \(f.path) answered \(status) was never retried")
            guard let retry else { continue }
            #expect(retry.body == f.body)
            let waited = Fixture.seconds(f.time, retry.time)
            #expect(waited >= retryAfter - 0.002, "\(f.method) \(f.path) retried after \(waited) s; Retry-After asked for \(retryAfter) s")
        }
    }

    static func expectAtMostOneProcessedPost(_ requests: [RecordedRequest], ledger: String) {
        for (start, count) in Fixture.processedPosts(requests, ledger: ledger) {
            #expect(count == 1, "period \(start) of \(ledger) was generated \(count) times")
        }
    }

    @Test("429 on the POST and 503 on polls are retried after Retry-After; nothing is generated twice")
    func retryAfter() async throws {
        let faults = [
            FaultRule(match: Self.postMatch, kind: .tooManyRequests(retryAfterSeconds: 3), count: 2),
            FaultRule(match: Self.pollMatch, kind: .serviceUnavailable(retryAfterSeconds: 5), count: 3),
        ]
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_fault1")], faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_fault1", cadence: "monthly", first: "2026-08-01")])
            let due = try Fixture.due(h.schedulePath, ledger: "lgr_fault1", at: Fixture.now)
            #expect(due.count == 3)
            let running = try await h.launch()
            let state = await running.drive { Fixture.allTerminal($0, ledger: "lgr_fault1", count: 3) }
            try await running.stop()
            let records = try JournalFile.read(path: h.journalPath, keepsEveryRecord: true).state.records(ledgerID: "lgr_fault1")
            #expect(state.records(ledgerID: "lgr_fault1").values.allSatisfy { $0.lastEvent == .completed })
            #expect(records.count == 3)
            #expect(records.values.allSatisfy { $0.lastEvent == .completed })
            let requests = await h.sim.requests()
            Self.expectAtMostOneProcessedPost(requests, ledger: "lgr_fault1")
            #expect(Fixture.processedPosts(requests, ledger: "lgr_fault1").keys.sorted() == due.map(\.startTime).sorted())
            #expect(requests.filter { $0.status == 429 }.count == 2)
            #expect(requests.filter { $0.status == 503 }.count == 3)
            Self.expectRetryAfterHonoured(requests, status: 429, retryAfter: 3)
            Self.expectRetryAfterHonoured(requests, status: 503, retryAfter: 5)
            // Each 429 is journaled not_fired before the Retry-After wait, and the next send has
            // its own intent: two refusals, two not_fired lines, two extra attempts.
            let lines = try Fixture.journalLines(h.journalPath)
            #expect(lines.filter { $0["event"] as? String == "not_fired" }.count == 2)
            #expect(records.values.map(\.attempts).reduce(0, +) == 3 + 2)
        }
    }

    @Test("a 500 on the POST (not processed) is reconciled, then recorded ambiguous, and never re-sent")
    func internalErrorOnPost() async throws {
        let faults = [FaultRule(match: Self.postMatch, kind: .internalServerError, count: 1)]
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_fault2")], faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_fault2", cadence: "monthly", first: "2026-10-01")], extra: Self.recovery)
            let period = try #require(Fixture.due(h.schedulePath, ledger: "lgr_fault2", at: Fixture.now).first)
            let running = try await h.launch()
            let state = await running.drive { Fixture.allTerminal($0, ledger: "lgr_fault2", count: 1) }
            // More virtual time: the ambiguous period must stay untouched (the next period is due on Dec 1).
            await running.drive(maxVirtualSeconds: 3 * 86_400) { _ in false }
            try await running.stop()
            let record = try #require(state.record(PeriodKey(ledgerID: "lgr_fault2", periodStart: period.startTime)))
            #expect(record.lastEvent == .ambiguous)
            #expect(record.lastError?.contains("mangrove-scheduler retry --ledger lgr_fault2") == true)
            let events = try Fixture.events(h.journalPath, ledger: "lgr_fault2", start: period.startTime)
            #expect(events.first == "intent")
            #expect(events.contains("reconciling"))
            #expect(events.last == "ambiguous")
            #expect(!events.contains("fired"))
            let requests = await h.sim.requests()
            #expect(Fixture.posts(requests, ledger: "lgr_fault2").count == 1, "the POST of unknown outcome was sent again")
            #expect(!Fixture.requests(requests, .ledgerBatches, ledger: "lgr_fault2").isEmpty, "no reconciliation against the ledger's batches")
            #expect(await h.sim.batches(ledgerID: "lgr_fault2").isEmpty)
        }
    }

    @Test("a POST processed but never answered (process_then_drop) is reconciled to completed with its batches, one POST")
    func processThenDropOnPost() async throws {
        let faults = [FaultRule(match: Self.postMatch, kind: .processThenDrop, count: 1)]
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_fault3")], faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_fault3", cadence: "monthly", first: "2026-10-01")], extra: Self.recovery)
            let period = try #require(Fixture.due(h.schedulePath, ledger: "lgr_fault3", at: Fixture.now).first)
            let running = try await h.launch()
            let state = await running.drive { Fixture.allTerminal($0, ledger: "lgr_fault3", count: 1) }
            try await running.stop()
            let record = try #require(state.record(PeriodKey(ledgerID: "lgr_fault3", periodStart: period.startTime)))
            #expect(record.lastEvent == .completed)
            let simBatches = await h.sim.batches(ledgerID: "lgr_fault3").map(\.id)
            #expect(!simBatches.isEmpty)
            #expect(record.batchIDs == simBatches.sorted())
            let events = try Fixture.events(h.journalPath, ledger: "lgr_fault3", start: period.startTime)
            #expect(events.contains("reconciling"))
            #expect(events.last == "completed")
            let requests = await h.sim.requests()
            #expect(Fixture.posts(requests, ledger: "lgr_fault3").count == 1)
        }
    }

    @Test("dropped poll connections are retried and the task completes")
    func dropOnPolls() async throws {
        let faults = [FaultRule(match: Self.pollMatch, kind: .drop, count: 3)]
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_fault4")], faults: faults), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_fault4", cadence: "monthly", first: "2026-10-01")])
            let period = try #require(Fixture.due(h.schedulePath, ledger: "lgr_fault4", at: Fixture.now).first)
            let running = try await h.launch()
            let state = await running.drive { Fixture.allTerminal($0, ledger: "lgr_fault4", count: 1) }
            try await running.stop()
            let record = try #require(state.record(PeriodKey(ledgerID: "lgr_fault4", periodStart: period.startTime)))
            #expect(record.lastEvent == .completed)
            #expect(record.attempts == 1)
            let requests = await h.sim.requests()
            #expect(Fixture.posts(requests, ledger: "lgr_fault4").count == 1)
            let polls = Fixture.requests(requests, .asyncTask)
            #expect(polls.filter { $0.fault == .drop }.count == 3)
            #expect(polls.last?.status == 200)
        }
    }

    @Test("a seeded storm of every fault kind: every period terminal, none generated twice, none lost", arguments: [UInt64(7), 11])
    func storm(seed: UInt64) async throws {
        // One fault rule per kind; together about 30 % of requests are hit.
        let kinds: [FaultKind] = [
            .latency(milliseconds: 2), .tooManyRequests(retryAfterSeconds: 2), .serviceUnavailable(retryAfterSeconds: 1),
            .internalServerError, .status(502, retryAfterSeconds: nil), .status(504, retryAfterSeconds: nil),
            .drop, .processThenDrop, .processThenStatus(502),
        ]
        let each = 1 - pow(0.7, 1 / Double(kinds.count))
        let faults = kinds.map { FaultRule(kind: $0, probability: each) }
        var config = Fixture.config([Fixture.ledger("lgr_storm1"), Fixture.ledger("lgr_storm2")], faults: faults)
        config.seed = seed
        try await DaemonHarness.with(config: config, start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [
                    Fixture.ledgerJSON("lgr_storm1", cadence: "monthly", zone: "Europe/Berlin", first: "2026-01-01"),
                    Fixture.ledgerJSON("lgr_storm2", cadence: "weekly", first: "2026-09-07"),
                ], extra: Self.recovery)
            let counts = ["lgr_storm1": 10, "lgr_storm2": 11]
            let running = try await h.launch()
            let state = await running.drive { s in counts.allSatisfy { Fixture.allTerminal(s, ledger: $0.key, count: $0.value) } }
            try await running.stop()
            let requests = await h.sim.requests()
            #expect(requests.contains { $0.fault != nil })
            for (ledger, count) in counts {
                let records = state.records(ledgerID: ledger)
                #expect(records.count == count, "\(ledger): \(records.count) of \(count) periods have a record")
                #expect(records.values.allSatisfy { $0.isTerminal }, "\(ledger) has periods that are not terminal")
                Self.expectAtMostOneProcessedPost(requests, ledger: ledger)
                let processed = Fixture.processedPosts(requests, ledger: ledger)
                for (start, record) in records.all {
                    switch record.lastEvent {
                    case .completed:
                        #expect(processed[start] == 1, "\(ledger) \(start) is completed but the API generated it \(processed[start] ?? 0) times")
                    case .ambiguous:
                        // Ambiguous is only right when nothing was generated: a processed POST must be reconciled.
                        #expect(processed[start] == nil, "\(ledger) \(start) is ambiguous although the API generated it")
                    default:
                        Issue.record("\(ledger) \(start) ended \(record.lastEvent.rawValue)")
                    }
                }
            }
        }
    }

    @Test("a fault storm with crashes (between wake-ups and a few ms into calls): no period generated twice, every completed period generated once", arguments: [UInt64(3), 5])
    func stormWithCrashes(seed: UInt64) async throws {
        let kinds: [FaultKind] = [
            .tooManyRequests(retryAfterSeconds: 1), .serviceUnavailable(retryAfterSeconds: 1), .internalServerError,
            .status(504, retryAfterSeconds: nil), .drop, .processThenDrop, .processThenStatus(502),
        ]
        let each = 1 - pow(0.7, 1 / Double(kinds.count))
        var config = Fixture.config([Fixture.ledger("lgr_storm3"), Fixture.ledger("lgr_storm4")], faults: kinds.map { FaultRule(kind: $0, probability: each) })
        config.seed = seed
        try await DaemonHarness.with(config: config, start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [
                    Fixture.ledgerJSON("lgr_storm3", cadence: "monthly", first: "2026-03-01"),
                    Fixture.ledgerJSON("lgr_storm4", cadence: "weekly", first: "2026-10-05"),
                ], extra: Self.recovery)
            let counts = ["lgr_storm3": 8, "lgr_storm4": 7]
            let done: @Sendable (JournalState) -> Bool = { s in counts.allSatisfy { Fixture.allTerminal(s, ledger: $0.key, count: $0.value) } }
            var state = JournalState()
            var lives = 0
            for _ in 0..<300 {
                lives += 1
                let running = try await h.launch()
                state = await running.drive(maxSteps: 2, until: done)
                // drive() ends by moving the clock, so calls are starting: crash a few ms into them.
                try await Task.sleep(for: .milliseconds(lives % 4))
                await running.crash()
                if done(state) { break }
            }
            #expect(done(state))
            #expect(lives > 3, "only \(lives) daemon lives: the crashes did not interrupt anything")
            let requests = await h.sim.requests()
            #expect(requests.contains { $0.fault != nil })
            for (ledger, _) in counts {
                Self.expectAtMostOneProcessedPost(requests, ledger: ledger)
                let processed = Fixture.processedPosts(requests, ledger: ledger)
                for (start, record) in state.records(ledgerID: ledger).all where record.lastEvent == .completed {
                    #expect(processed[start] == 1, "\(ledger) \(start) is completed but the API generated it \(processed[start] ?? 0) times")
                }
            }
        }
    }
}
