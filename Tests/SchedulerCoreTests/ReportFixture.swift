import Foundation
import Testing
import SchedulerCore

/// A daily UTC ledger from 2025-01-01 and a journal for its first days: 1st completed,
/// 2nd in flight (task 5), 3rd failed once and waiting to re-fire.
enum ReportFixture {
    static let ledger = LedgerSchedule(id: "lgr_report", cadence: .daily, firstPeriodStart: instant("2025-01-01T00:00:00Z"))
    static let schedule = Schedule(api: APISettings(baseURL: "https://app.gomangrove.com/api/v1"), journalPath: "/tmp/j.jsonl", ledgers: [ledger])
    static let now = instant("2025-01-06T00:00:00Z")

    static func day(_ n: Int) -> Period {
        var p = ledger.firstPeriod
        for _ in 1..<n { p = ledger.calendar.following(p) }
        return p
    }

    /// Every record in full, as `journal` reads it (`compactState` is the daemon's fold).
    static var state: JournalState { state(keepsEveryRecord: true) }
    static var compactState: JournalState { state(keepsEveryRecord: false) }

    static func state(keepsEveryRecord: Bool) -> JournalState {
        var state = JournalState(keepsEveryRecord: keepsEveryRecord)
        var t = instant("2025-01-02T00:00:00Z")
        func line(_ period: Period, _ event: JournalEvent, task: Int? = nil, error: String? = nil, ledger: String = "lgr_report") {
            state.apply(JournalEntry(time: t, ledgerID: ledger, periodStart: period.startTime, periodEnd: period.endTime,
                                     event: event, taskID: task, error: error))
            t = t.addingTimeInterval(10)
        }
        line(day(1), .intent)
        line(day(1), .fired, task: 4)
        line(day(1), .completed, task: 4)
        line(day(2), .intent)
        line(day(2), .fired, task: 5)
        line(day(3), .intent)
        line(day(3), .fired, task: 6)
        line(day(3), .taskFailed, task: 6, error: "task 6 failed: boom")
        line(day(1), .intent, ledger: "lgr_other")
        line(day(1), .notFired, error: "connection refused", ledger: "lgr_other")
        return state
    }
}
