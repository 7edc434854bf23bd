import Foundation

/// Where each ledger stands (due, in flight, overdue, held, paused) for `STATUS=` and the
/// metrics, the overdue warnings, and operator pauses.
///
/// A ledger's standing is refreshed only when its journal changed, its pause changed, or
/// its next change arrived (a period falling due, or an open one becoming overdue), so a
/// burst of events costs one short walk per touched ledger and an idle daemon wakes only
/// for those instants.
extension SchedulerState {
    /// The pauses in force: each change is logged once; a resumed ledger looks again at once.
    mutating func applyControls(_ new: LedgerControlState) {
        let (paused, resumed) = new.changes(from: controls)
        controls = new
        for id in paused {
            guard let pause = new.pause(of: id) else { continue }
            let running = runners[id]?.run != nil ? "; the period in flight is still polled to its end" : ""
            log(.notice,
                "ledger \(id) paused by \(pause.by) since \(UTCTimestamp.format(pause.since)): \(pause.note); nothing new fires for it until `mangrove-scheduler resume --ledger \(id)`\(running)",
                event: "paused", ledgerID: id)
            reschedule(id)
            statusDirty.insert(id)
        }
        for id in resumed {
            log(.notice, "ledger \(id) resumed: its due periods fire again, oldest first", event: "resumed", ledgerID: id)
            markReady(id)
            reschedule(id)
            statusDirty.insert(id)
        }
    }

    /// Re-surveys the ledgers marked dirty or whose next change arrived.
    mutating func refreshStatuses() {
        for id in statusWatch.popDue(now: now.timeline) { statusDirty.insert(id) }
        guard !statusDirty.isEmpty else { return }
        let ids = statusDirty.sorted()
        statusDirty.removeAll(keepingCapacity: true)
        var overdueLedgers = 0
        for id in ids {
            guard let runner = runners[id], !runner.removed else {
                forgetStatus(id)
                continue
            }
            let survey = self.survey(id, runner)
            let overdue = survey.status.overdue
            overdueTotal += overdue - (ledgerOverdue[id] ?? 0)
            ledgerOverdue[id] = overdue == 0 ? nil : overdue
            if reportsLedgerStatus, ledgerStatus[id] != survey.status {
                ledgerStatus[id] = survey.status
                actions.append(.ledgerStatus(survey.status))
            }
            statusWatch.schedule(id, at: survey.nextChange?.addingTimeInterval(-wallOffset))
            if logOverdue(id, survey.overduePeriods, individually: overdueLedgers < Self.overdueLinesAtOnce) { overdueLedgers += 1 }
        }
        if overdueLedgers > Self.overdueLinesAtOnce {
            let more = overdueLedgers - Self.overdueLinesAtOnce
            log(.warning,
                "\(more) more ledger\(more == 1 ? " has" : "s have") periods overdue (not completed \(ISODurationFormat.format(schedule.alerts.overdueAfter)) after they became due, alerts.overdue_after); `mangrove-scheduler plan` lists them",
                event: "overdue")
        }
    }

    /// Overdue warnings one line per ledger, up to this many at once; the rest in one line
    /// (a catch-up of 50,000 ledgers would write one line each to the journal at once).
    static let overdueLinesAtOnce = 1_000

    mutating func forgetStatus(_ id: String) {
        overdueTotal -= ledgerOverdue[id] ?? 0
        ledgerOverdue[id] = nil
        ledgerStatus[id] = nil
        overdueLogs[id] = nil
        statusWatch.schedule(id, at: nil)
    }

    struct Survey {
        var status: LedgerStatus
        /// Overdue periods, oldest first (at most `OpenPeriods.overdueListLimit`).
        var overduePeriods: [Period]
        /// The next wall-clock instant the standing changes by itself.
        var nextChange: Date?
    }

    /// Where the ledger stands now: its open periods, walked from the oldest one the runner
    /// knows to now and classified by their records. Nothing of the walk is kept between
    /// surveys: a catch-up of 50,000 ledgers would hold a list of every due period.
    mutating func survey(_ id: String, _ runner: LedgerRunner) -> Survey {
        let records = journal.records(ledgerID: id)
        let calendar = runner.ledger.calendar
        // The cursor is a period of the calendar, unless it is a period resumed in flight.
        var start = runner.resumesInFlight ? calendar.period(containing: runner.cursor.start) : runner.cursor
        if let floor = runner.retryFloor, floor.start < start.start { start = calendar.period(containing: floor.start) }
        let open = runner.planner.openPeriods(records: records, from: start, now: now.wall)
        let standing = open.standing(records: records, now: now.wall, alerts: schedule.alerts)
        var inFlight = standing.inFlight
        // A period resumed off the schedule's grid (after a cadence change) is in flight too.
        if runner.resumesInFlight, let run = runner.run, journal.record(run.key)?.isInFlight == true { inFlight += 1 }
        var held = standing.heldDetail
        if held == nil, runner.run == nil, let until = runner.heldUntil, until > now.timeline {
            held = LedgerStatus.unavailableDetail
        }
        if lastCompleted[id] == nil { lastCompleted[id] = records.newestCompletedEnd ?? "" }
        let lastEnd = lastCompleted[id].flatMap { $0.isEmpty ? nil : LedgerStatus.periodEnd($0) }
        let status = LedgerStatus(
            ledgerID: id, dueNotDone: standing.due, inFlight: inFlight, overdue: standing.overdue, heldDetail: held,
            paused: controls.pause(of: id), lastCompletedEnd: lastEnd)
        let next = [standing.nextOverdueAt, open.validUntil].compactMap { $0 }.min()
        return Survey(status: status, overduePeriods: standing.overduePeriods, nextChange: next)
    }

    /// Logs each period once when it becomes overdue (many at once as one line); with
    /// `individually` false it only notes them (counted in a summary line). Returns
    /// whether some period of the ledger is newly overdue.
    mutating func logOverdue(_ id: String, _ periods: [Period], individually: Bool = true) -> Bool {
        let fresh = overdueLogs[id, default: OverdueLog()].newlyOverdue(periods, now: now.wall) { [schedule] in
            schedule.alerts.overdueAt(dueAt: self.runners[id]?.ledger.dueInstant(of: $0) ?? $0.end)
        }
        guard let first = fresh.first else { return false }
        guard individually else { return true }
        let oldest = PeriodKey(ledgerID: id, periodStart: first.startTime)
        let after = ISODurationFormat.format(schedule.alerts.overdueAfter)
        let why = controls.isPaused(id) ? " (the ledger is paused)" : ""
        if fresh.count == 1 {
            log(.warning,
                "period \(oldest.periodStart) of ledger \(id) is overdue: not completed \(after) (alerts.overdue_after) after it became due\(why); `mangrove-scheduler plan` shows where it stands",
                event: "overdue", ledgerID: id, periodStart: oldest.periodStart)
        } else {
            log(.warning,
                "\(fresh.count) periods of ledger \(id) are overdue, the oldest \(oldest.periodStart): not completed \(after) (alerts.overdue_after) after they became due\(why); `mangrove-scheduler plan` shows where they stand",
                event: "overdue", ledgerID: id, periodStart: oldest.periodStart)
        }
        return true
    }

    /// Notes a completed period for `last_completed_period_end`.
    mutating func noteCompleted(_ entry: JournalEntry) {
        guard entry.event == .completed, let known = lastCompleted[entry.ledgerID] else { return }
        if entry.periodEnd > known { lastCompleted[entry.ledgerID] = entry.periodEnd }
    }
}
