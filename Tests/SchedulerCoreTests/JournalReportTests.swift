import Foundation
import Testing
import SchedulerCore

@Suite("JournalReport: what journal shows")
struct JournalReportTests {
    typealias F = ReportFixture

    @Test("one row per period, sorted, with outcome, attempts and errors")
    func rows() {
        let report = JournalReport.make(state: F.state)
        #expect(report.rows.map { "\($0.ledgerID) \($0.periodStart) \($0.outcome)" } == [
            "lgr_other 2025-01-01T00:00:00.000Z not_fired",
            "lgr_report 2025-01-01T00:00:00.000Z completed",
            "lgr_report 2025-01-02T00:00:00.000Z in_flight",
            "lgr_report 2025-01-03T00:00:00.000Z retrying",
        ])
        // The plan's words; the raw last event stays available.
        #expect(report.rows.map(\.lastEvent) == ["not_fired", "completed", "fired", "task_failed"])
        #expect(report.rows.map(\.terminal) == [false, true, false, false])
        #expect(report.rows[0].error == "connection refused")
        #expect(report.rows[1].error == nil)
        #expect(report.rows[1].durationSeconds == 20)
        #expect(report.rows[1].taskID == 4)
        #expect(report.rows[3].error == "task 6 failed: boom")
        #expect(report.counts == ["not_fired": 1, "completed": 1, "in_flight": 1, "retrying": 1])
    }

    @Test("filter by ledger")
    func filtered() {
        #expect(JournalReport.make(state: F.state, ledgerID: "lgr_other").rows.count == 1)
        #expect(JournalReport.make(state: F.state, ledgerID: "lgr_none").rows.isEmpty)
    }

    @Test("text")
    func text() {
        #expect(JournalReport.make(state: JournalState()).text() == "the journal has no periods yet\n")
        let text = JournalReport.make(state: F.state).text()
        #expect(text.hasPrefix("lgr_other  (not in the schedule; UTC)\n"))
        #expect(text.contains("\nlgr_report  (not in the schedule; UTC)\n"))
        #expect(text.hasSuffix("4 periods: 1 completed, 1 in_flight, 1 not_fired, 1 retrying\n"))
        // With the schedule: its ledgers first, periods in the ledger's zone, aligned.
        let scheduled = JournalReport.make(state: F.state, schedule: F.schedule).text()
        #expect(scheduled.hasPrefix("lgr_report  a daily ledger in UTC\n  period      state      task  attempts  took  details\n"))
        #expect(scheduled.contains("  2025-01-01  completed  4     1         20s\n"))
        #expect(JournalReport.make(state: F.state, ledgerID: "lgr_other").text().hasSuffix("1 period: 1 not_fired\n"))
    }
}
