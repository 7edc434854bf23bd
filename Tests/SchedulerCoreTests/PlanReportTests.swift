import Foundation
import Testing
import SchedulerCore

@Suite("PlanReport: what plan shows")
struct PlanReportTests {
    typealias F = ReportFixture

    @Test("due periods with their status, counts and the next fire time")
    func plan() throws {
        let report = PlanReport.make(schedule: F.schedule, state: F.state, now: F.now, listLimit: 3)
        #expect(report.at == "2025-01-06T00:00:00.000Z")
        #expect(report.journalPath == "/tmp/j.jsonl")
        let l = try #require(report.ledgers.first)
        #expect(l.id == "lgr_report")
        #expect(l.cadence == "daily" && l.settleDelay == "PT0S")
        #expect(l.due.map(\.periodStart) == ["2025-01-02T00:00:00.000Z", "2025-01-03T00:00:00.000Z", "2025-01-04T00:00:00.000Z"])
        #expect(l.due.map(\.status) == ["in_flight", "retrying", "pending"])
        #expect(l.due.map(\.taskID) == [5, 6, nil])
        #expect(l.due[1].lastError == "task 6 failed: boom")
        #expect(l.dueNotListed == 1)
        #expect(l.completed == 1 && l.failed == 0 && l.ambiguous == 0 && l.skipped == 0)
        #expect(l.nextPeriod?.periodStart == "2025-01-06T00:00:00.000Z")
        #expect(l.nextFireTime == "2025-01-07T00:00:00.000Z")

        let text = report.text()
        #expect(text.contains("due now (4 periods, 1 in flight, 3 overdue; oldest first):"))
        #expect(text.contains("    2025-01-02  in_flight  5     1         overdue"))
        #expect(text.contains("… and 1 more"))
        #expect(text.contains("next: 2025-01-06 fires at 2025-01-07 00:00 UTC"))
    }

    @Test("nothing due")
    func nothingDue() throws {
        let report = PlanReport.make(schedule: F.schedule, state: JournalState(), now: instant("2024-12-31T00:00:00Z"))
        let l = try #require(report.ledgers.first)
        #expect(l.due.isEmpty)
        #expect(l.nextPeriod?.periodStart == "2025-01-01T00:00:00.000Z")
        #expect(report.text().contains("due now: nothing"))
    }

    @Test("JSON uses snake_case keys")
    func json() throws {
        let data = try JSONEncoder().encode(PlanReport.make(schedule: F.schedule, state: F.state, now: F.now))
        let text = String(decoding: data, as: UTF8.self)
        for key in ["\"journal_path\"", "\"time_zone\"", "\"settle_delay\"", "\"due_not_listed\"", "\"next_period\"",
                    "\"next_fire_time\"", "\"period_start\"", "\"period_end\"", "\"task_id\"", "\"last_error\""] {
            #expect(text.contains(key), "\(key)")
        }
    }
}
