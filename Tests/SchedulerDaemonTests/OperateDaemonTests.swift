import AsyncHTTPClient
import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// What an operator sees of a running daemon: `/metrics` after a catch-up with failures,
/// overdue periods, and pause/resume across a restart.
@Suite("Operating the daemon: metrics, overdue, pause")
struct OperateDaemonTests {
    /// The value of one sample (`name{labels} value`) in a Prometheus exposition.
    static func value(_ text: String, _ series: String) -> Double? {
        for line in text.split(separator: "\n") where line.hasPrefix(series + " ") {
            return Double(line.split(separator: " ").last ?? "")
        }
        return nil
    }

    static func scrape(port: Int) async throws -> String {
        let http = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup)
        do {
            let response = try await http.execute(HTTPClientRequest(url: "http://127.0.0.1:\(port)/metrics"), timeout: .seconds(10))
            #expect(response.status == .ok)
            #expect(response.headers["content-type"].first?.hasPrefix("text/plain; version=0.0.4") == true)
            let body = try await response.body.collect(upTo: 4 << 20)
            try await http.shutdown()
            return String(buffer: body)
        } catch {
            try? await http.shutdown()
            throw error
        }
    }

    static func statuses(_ notifier: RecordingNotifier) -> [String] {
        notifier.messages.compactMap {
            switch $0 {
            case .status(let s): s
            case .ready(let s): s
            default: nil
            }
        }
    }

    @Test("after a catch-up with failed tasks and a refused ledger, /metrics counts what the journal says, and the refused ledger is overdue and held")
    func scrapeAfterCatchUp() async throws {
        let config = Fixture.config([Fixture.ledger("lgr_mix"), Fixture.ledger("lgr_nomodel", model: false)], failureRate: 0.5)
        try await DaemonHarness.with(config: config, start: Fixture.now) { h in
            try h.writeSchedule(
                ledgers: [
                    Fixture.ledgerJSON("lgr_mix", cadence: "daily", first: "2026-11-10"),
                    Fixture.ledgerJSON("lgr_nomodel", cadence: "daily", first: "2026-11-20"),
                ],
                extra: #""recovery": {"failed_task_retries": 0}, "metrics": {"listen": "127.0.0.1:0"}, "alerts": {"overdue_after": "PT2H"}"#)
            let mixDue = try Fixture.due(h.schedulePath, ledger: "lgr_mix", at: Fixture.now)
            let refusedDue = try Fixture.due(h.schedulePath, ledger: "lgr_nomodel", at: Fixture.now)
            let notifier = RecordingNotifier()
            let log = RecordingLog()
            let running = try await h.launch(notifier: notifier, log: log)
            let state = await running.drive(maxVirtualSeconds: 3_600) { Fixture.allTerminal($0, ledger: "lgr_mix", count: mixDue.count) }
            let port = try #require(await running.metricsPort())
            let text = try await Self.scrape(port: port)
            try await running.stop()

            let records = state.records(ledgerID: "lgr_mix").values
            let completed = records.filter { $0.lastEvent == .completed }.count
            let failed = records.filter { $0.lastEvent == .failed }.count
            #expect(completed + failed == mixDue.count)
            #expect(completed > 0 && failed > 0, "the seeded simulator fails about half the tasks")
            #expect(Self.value(text, #"mangrove_scheduler_generations_total{ledger_id="lgr_mix",outcome="completed"}"#) == Double(completed))
            #expect(Self.value(text, #"mangrove_scheduler_generations_total{ledger_id="lgr_mix",outcome="failed"}"#) == Double(failed))
            #expect(Self.value(text, #"mangrove_scheduler_generations_total{ledger_id="lgr_nomodel",outcome="completed"}"#) == 0)
            #expect(Self.value(text, #"mangrove_scheduler_periods_due{ledger_id="lgr_mix"}"#) == 0)
            #expect(Self.value(text, #"mangrove_scheduler_periods_overdue{ledger_id="lgr_mix"}"#) == 0)
            // Every refused period is older than overdue_after (PT2H): all overdue, the ledger held.
            #expect(Self.value(text, #"mangrove_scheduler_periods_due{ledger_id="lgr_nomodel"}"#) == Double(refusedDue.count))
            #expect(Self.value(text, #"mangrove_scheduler_periods_overdue{ledger_id="lgr_nomodel"}"#) == Double(refusedDue.count))
            #expect(Self.value(text, #"mangrove_scheduler_ledger_held{ledger_id="lgr_nomodel",reason="unavailable"}"#) == 1)
            let lastEnd = try #require(mixDue.last).end.timeIntervalSince1970
            let newestCompleted = records.filter { $0.lastEvent == .completed }.compactMap { UTCTimestamp.parse($0.periodEnd) }.max()
            #expect(Self.value(text, #"mangrove_scheduler_last_completed_period_end_timestamp_seconds{ledger_id="lgr_mix"}"#)
                == newestCompleted.map { $0.timeIntervalSince1970 + 1 })
            #expect((newestCompleted?.timeIntervalSince1970 ?? 0) + 1 <= lastEnd)
            #expect(Self.value(text, "mangrove_scheduler_journal_lines") == Double(state.lineCount))
            #expect(Self.value(text, "mangrove_scheduler_ledgers") == 2)
            #expect((Self.value(text, #"mangrove_scheduler_api_requests_total{endpoint="POST /ledgers/{id}/batch_generations",status_class="2xx"}"#) ?? 0) >= Double(mixDue.count))
            #expect(text.contains(#"mangrove_scheduler_api_request_duration_seconds_bucket{endpoint="GET /async_tasks/{id}""#))
            // Overdue: logged once per period (here all at once, as one line), counted in STATUS=.
            // (lgr_mix's old periods were overdue too until the catch-up completed them.)
            let overdueLines = log.lines.filter { $0.contains("mangrove_event=overdue") && $0.contains("ledger_id=lgr_nomodel") }
            #expect(overdueLines.count == 1)
            #expect(overdueLines.first?.contains("\(refusedDue.count) periods of ledger lgr_nomodel are overdue") == true)
            #expect(Self.statuses(notifier).last?.contains("\(refusedDue.count) overdue") == true)
        }
    }

    @Test("a period becomes overdue while the daemon runs: logged once at that moment, not before")
    func overdueWhileRunning() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_late", model: false)]), start: Fixture.now) { h in
            // The newest period closes at 00:00 of Fixture.now's day; overdue_after P1D.
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_late", cadence: "daily", first: "2026-11-22")])
            let due = try Fixture.due(h.schedulePath, ledger: "lgr_late", at: Fixture.now)
            let log = RecordingLog()
            let running = try await h.launch(log: log)
            _ = await running.drive(maxVirtualSeconds: 600) { _ in false }
            let before = log.lines.filter { $0.contains("mangrove_event=overdue") }
            let becomesOverdue = try #require(due.first).end.addingTimeInterval(86_400)
            _ = await running.drive(maxVirtualSeconds: becomesOverdue.timeIntervalSince(h.clock.now()) + 7_200) { _ in false }
            let after = log.lines.filter { $0.contains("mangrove_event=overdue") }
            try await running.stop()
            #expect(before.isEmpty, "not overdue yet at start")
            #expect(after.count >= 1)
            #expect(after.first?.contains("period \(try #require(due.first).startTime) of ledger lgr_late is overdue") == true)
        }
    }

    @Test("a paused ledger fires nothing, also after a restart; resume (SIGHUP) fires its due periods oldest first")
    func pauseAcrossRestart() async throws {
        let config = Fixture.config([Fixture.ledger("lgr_paused"), Fixture.ledger("lgr_busy")])
        try await DaemonHarness.with(config: config, start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [
                Fixture.ledgerJSON("lgr_paused", cadence: "daily", first: "2026-11-25"),
                Fixture.ledgerJSON("lgr_busy", cadence: "daily", first: "2026-11-25"),
            ])
            let due = try Fixture.due(h.schedulePath, ledger: "lgr_paused", at: Fixture.now)
            try LedgerControlFile.append(
                LedgerControlEntry(time: Fixture.now, ledgerID: "lgr_paused", action: .paused, by: "alice", note: "model being re-fitted"),
                journalPath: h.journalPath)

            let notifier = RecordingNotifier()
            let log = RecordingLog()
            var running = try await h.launch(notifier: notifier, log: log)
            _ = await running.drive(maxVirtualSeconds: 3_600) { Fixture.allTerminal($0, ledger: "lgr_busy", count: due.count) }
            try await running.stop()
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_paused").isEmpty)
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_busy").count == due.count)
            #expect(log.lines.contains { $0.contains("mangrove_event=paused") && $0.contains("model being re-fitted") && $0.contains("alice") })
            #expect(Self.statuses(notifier).contains { $0.contains("1 paused") })

            // Restart: the pause is read from the controls file again.
            running = try await h.launch()
            _ = await running.drive(maxVirtualSeconds: 3_600) { _ in false }
            #expect(Fixture.posts(await h.sim.requests(), ledger: "lgr_paused").isEmpty)

            // Resume, as `mangrove-scheduler resume` does: a line in the file, then SIGHUP.
            try LedgerControlFile.append(
                LedgerControlEntry(time: h.clock.now(), ledgerID: "lgr_paused", action: .resumed, by: "bob"), journalPath: h.journalPath)
            await running.scheduler.requestReload()
            let state = await running.drive(maxVirtualSeconds: 3_600) { Fixture.allTerminal($0, ledger: "lgr_paused", count: due.count) }
            try await running.stop()
            #expect(Fixture.allTerminal(state, ledger: "lgr_paused", count: due.count))
            let posts = Fixture.posts(await h.sim.requests(), ledger: "lgr_paused")
            #expect(posts.map(\.0) == due.map(\.startTime), "oldest first, once each")
        }
    }
}
