import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// How a fired task is polled: about 2 s after firing, then exponential backoff with
/// jitter up to the cap, and an overall task timeout.
@Suite("Polling")
struct PollingTests {
    @Test("without a progress signal (a task pending for 10 minutes): first poll about 2 s after the POST, then doubling intervals within ±20 % jitter, capped at 60 s")
    func backoff() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_poll1")], pending: 600, duration: 1), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_poll1", cadence: "monthly", first: "2026-10-01")])
            let running = try await h.launch()
            let state = await running.drive { Fixture.allTerminal($0, ledger: "lgr_poll1", count: 1) }
            try await running.stop()
            #expect(state.records(ledgerID: "lgr_poll1").values.first?.lastEvent == .completed)
            let requests = await h.sim.requests()
            let post = try #require(Fixture.requests(requests, .batchGenerations, ledger: "lgr_poll1").first)
            let task = try #require(post.createdTaskID)
            let polls = Fixture.polls(requests, task: task)
            #expect(polls.count >= 8)
            #expect(polls.count <= 20, "\(polls.count) polls for a 10-minute task")
            guard let first = polls.first else { return }
            let firstDelay = Fixture.seconds(post.time, first.time)
            #expect(firstDelay >= 1.6 && firstDelay <= 2.001, "first poll \(firstDelay) s after the POST")
            var longest = 0.0
            for i in 1..<polls.count {
                let interval = Fixture.seconds(polls[i - 1].time, polls[i].time)
                let ceiling = min(2 * pow(2, Double(i)), 60)
                #expect(interval >= 0.8 * ceiling - 0.002, "poll interval \(i) is \(interval) s; the backoff ceiling is \(ceiling) s")
                #expect(interval <= min(1.2 * ceiling, 60) + 0.001, "poll interval \(i) is \(interval) s, above the ceiling +20 % or the 60 s cap")
                longest = max(longest, interval)
            }
            #expect(longest >= 48, "polling never reached the cap (longest interval \(longest) s)")
            // The task was polled until complete, and not after.
            #expect(polls.last?.time ?? .distantPast >= post.time.addingTimeInterval(601))
        }
    }

    @Test("with steady progress, a 10-minute task is polled a few times and its completion noticed within seconds")
    func progressAware() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_poll4")], pending: 1, duration: 600), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_poll4", cadence: "monthly", first: "2026-10-01")])
            let running = try await h.launch()
            let state = await running.drive { Fixture.allTerminal($0, ledger: "lgr_poll4", count: 1) }
            try await running.stop()
            #expect(state.records(ledgerID: "lgr_poll4").values.first?.lastEvent == .completed)
            let requests = await h.sim.requests()
            let post = try #require(Fixture.requests(requests, .batchGenerations, ledger: "lgr_poll4").first)
            let polls = Fixture.polls(requests, task: try #require(post.createdTaskID))
            #expect(polls.count >= 3 && polls.count <= 10, "\(polls.count) polls for a 10-minute task")
            let firstDelay = Fixture.seconds(post.time, try #require(polls.first).time)
            #expect(firstDelay >= 1.6 && firstDelay <= 2.001, "first poll \(firstDelay) s after the POST")
            // Finished 601 s after the POST; noticed at most 15 s later, never before.
            let noticed = Fixture.seconds(post.time, try #require(polls.last).time)
            #expect(noticed >= 601 && noticed <= 616, "completion noticed \(noticed) s after the POST")
        }
    }

    @Test("a task running longer than polling.task_timeout is recorded failed naming task_timeout, and not fired again")
    func taskTimeout() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_poll2")], duration: 3600), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [Fixture.ledgerJSON("lgr_poll2", cadence: "monthly", first: "2026-10-01")],
                extra: #""polling": {"task_timeout": "PT5M"}"#)
            let running = try await h.launch()
            let state = await running.drive(maxVirtualSeconds: 2 * 3600) { Fixture.allTerminal($0, ledger: "lgr_poll2", count: 1) }
            await running.drive(maxVirtualSeconds: 2 * 3600) { _ in false }
            try await running.stop()
            let record = try #require(state.records(ledgerID: "lgr_poll2").values.first)
            #expect(record.lastEvent == .failed)
            #expect(record.lastError?.contains("task_timeout") == true)
            #expect(record.lastError?.contains("PT5M") == true)
            let requests = await h.sim.requests()
            let posts = Fixture.requests(requests, .batchGenerations, ledger: "lgr_poll2")
            #expect(posts.count == 1)
            // Recorded failed shortly after 5 minutes, not after the task's hour.
            if let post = posts.first, let fired = record.firedAt {
                let failedAfter = Fixture.seconds(fired, record.lastTime)
                #expect(failedAfter >= 300 && failedAfter <= 300 + 61, "failed \(failedAfter) s after firing")
                let lastPoll = Fixture.polls(requests, task: post.createdTaskID ?? -1).last
                #expect(lastPoll.map { Fixture.seconds(post.time, $0.time) } ?? 0 <= 361)
            }
        }
    }

    @Test("every API request is paced by limits.requests_per_second", arguments: [1.0, 2.0])
    func requestsPerSecond(rate: Double) async throws {
        let ids = ["lgr_pace1", "lgr_pace2", "lgr_pace3"]
        try await DaemonHarness.with(config: Fixture.config(ids.map { Fixture.ledger($0) }), start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: ids.map { Fixture.ledgerJSON($0, cadence: "daily", first: "2026-11-16") },
                extra: #""limits": {"requests_per_second": \#(rate)}"#)
            let running = try await h.launch()
            await running.drive { s in ids.allSatisfy { Fixture.allTerminal(s, ledger: $0, count: 7) } }
            try await running.stop()
            let requests = await h.sim.requests()
            #expect(requests.count >= 21 * 2)
            // Token bucket with a burst of max(rate, 1): any n consecutive requests span at least (n - burst) / rate seconds.
            let burst = max(rate, 1)
            let times = requests.map(\.time)
            if let first = times.first, let last = times.last {
                #expect(Fixture.seconds(first, last) >= (Double(times.count) - burst) / rate - 0.01)
            }
            for i in times.indices {
                for j in (i + 1)..<min(times.count, i + 12) {
                    let n = Double(j - i + 1)
                    let minimum = (n - burst) / rate
                    let span = Fixture.seconds(times[i], times[j])
                    #expect(span >= minimum - 0.01, "requests \(i + 1)...\(j + 1): \(Int(n)) requests in \(span) s at \(rate)/s")
                }
            }
        }
    }

    @Test("a task state the daemon does not know (\"queued\") is polled on, journaled as progress, and completes with one POST")
    func unknownTaskState() async throws {
        var config = Fixture.config([Fixture.ledger("lgr_poll3")], pending: 5)
        config.taskInitialState = "queued"
        try await DaemonHarness.with(config: config, start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_poll3", cadence: "monthly", first: "2026-10-01")])
            let running = try await h.launch()
            let state = await running.drive { Fixture.allTerminal($0, ledger: "lgr_poll3", count: 1) }
            try await running.stop()
            #expect(state.records(ledgerID: "lgr_poll3").values.first?.lastEvent == .completed)
            let lines = try Fixture.journalLines(h.journalPath)
            #expect(lines.contains { $0["state"] as? String == "queued" })
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_poll3").count == 1)
        }
    }
}
