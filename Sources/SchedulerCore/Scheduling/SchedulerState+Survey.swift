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
        for id in ids {
            guard let runner = runners[id], !runner.removed else {
                forgetStatus(id)
                continue
            }
            let survey = self.survey(id, runner)
            overdueTotal += survey.status.overdue - (ledgerStatus[id]?.overdue ?? 0)
            if ledgerStatus[id] != survey.status {
                ledgerStatus[id] = survey.status
                actions.append(.ledgerStatus(survey.status))
            }
            statusWatch.schedule(id, at: survey.nextChange?.addingTimeInterval(-wallOffset))
            logOverdue(id, survey.overduePeriods)
        }
    }

    mutating func forgetStatus(_ id: String) {
        openPeriods[id] = nil
        overdueTotal -= ledgerStatus[id]?.overdue ?? 0
        ledgerStatus[id] = nil
        overdueLogs[id] = nil
        statusWatch.schedule(id, at: nil)
    }

    struct Survey {
        var status: LedgerStatus
        /// Overdue periods, oldest first (at most `overdueListLimit`).
        var overduePeriods: [Period]
        /// The next wall-clock instant the standing changes by itself.
        var nextChange: Date?
    }

    static let overdueListLimit = 1_000

    /// The ledger's open periods (due, not terminal) as of its last walk, so that most
    /// surveys re-read only their records instead of walking the calendar again.
    struct OpenPeriods: Sendable {
        struct Entry: Sendable {
            var period: Period
            var key: String
            var dueAt: Date
        }
        var entries: [Entry]
        /// Entries before this one are terminal (periods end roughly in order).
        var head = 0
        /// The wall-clock instant the next period falls due: the list is complete until then.
        var validUntil: Date?
    }

    /// Walks the calendar from the ledger's oldest open period to now.
    func walkOpenPeriods(_ id: String, _ runner: LedgerRunner) -> OpenPeriods {
        let ledger = runner.ledger
        let records = journal.records(ledgerID: id)
        var start = runner.cursor.start
        if let floor = runner.retryFloor, floor.start < start { start = floor.start }
        var period = ledger.calendar.period(containing: start)
        if period.start < ledger.firstPeriod.start { period = ledger.firstPeriod }
        var entries: [OpenPeriods.Entry] = []
        var validUntil: Date?
        var steps = 0
        while steps < 100_000 {
            let dueAt = ledger.dueInstant(of: period)
            if dueAt > now.wall {
                validUntil = dueAt
                break
            }
            let key = period.startTime
            let record = records[key].flatMap { $0.periodEnd == period.endTime ? $0 : nil }
            if record?.isTerminal != true { entries.append(.init(period: period, key: key, dueAt: dueAt)) }
            period = ledger.calendar.following(period)
            steps += 1
        }
        return OpenPeriods(entries: entries, validUntil: validUntil)
    }

    /// Where the ledger stands now: its open periods (walked again only when a new period
    /// fell due or the list was invalidated) classified by their records.
    mutating func survey(_ id: String, _ runner: LedgerRunner) -> Survey {
        var open: OpenPeriods
        if let cached = openPeriods[id], cached.validUntil.map({ now.wall < $0 }) ?? false {
            open = cached
        } else {
            open = walkOpenPeriods(id, runner)
        }
        let records = journal.records(ledgerID: id)
        func record(_ e: OpenPeriods.Entry) -> PeriodRecord? {
            records[e.key].flatMap { $0.periodEnd == e.period.endTime ? $0 : nil }
        }
        while open.head < open.entries.count, record(open.entries[open.head])?.isTerminal == true { open.head += 1 }
        openPeriods[id] = open
        let overdueAfter = schedule.alerts.overdueAfter.seconds
        let cutoff = now.wall.addingTimeInterval(-overdueAfter)
        var due = 0, inFlight = 0, overdue = 0
        var overduePeriods: [Period] = []
        var becomesOverdue: Date?
        var held: String?
        for e in open.entries[open.head...] {
            let r = record(e)
            if r?.isTerminal == true { continue }
            if r?.isInFlight == true { inFlight += 1 } else { due += 1 }
            if held == nil, r?.lastEvent == .held { held = r?.detail ?? "held" }
            if e.dueAt <= cutoff {
                overdue += 1
                if overduePeriods.count < Self.overdueListLimit { overduePeriods.append(e.period) }
            } else if becomesOverdue == nil {
                becomesOverdue = e.dueAt.addingTimeInterval(overdueAfter)
            }
        }
        // A period resumed off the schedule's grid (after a cadence change) is in flight too.
        if runner.resumesInFlight, let run = runner.run, journal.record(run.key)?.isInFlight == true { inFlight += 1 }
        if held == nil, runner.run == nil, let until = runner.heldUntil, until > now.timeline {
            held = LedgerStatus.unavailableDetail
        }
        if lastCompleted[id] == nil {
            lastCompleted[id] = records.values.lazy.filter { $0.lastEvent == .completed }.map(\.periodEnd).max() ?? ""
        }
        let lastEnd = lastCompleted[id].flatMap { $0.isEmpty ? nil : UTCTimestamp.parse($0)?.addingTimeInterval(1) }
        let status = LedgerStatus(
            ledgerID: id, dueNotDone: due, inFlight: inFlight, overdue: overdue, heldDetail: held,
            paused: controls.pause(of: id), lastCompletedEnd: lastEnd)
        let next = [becomesOverdue, open.validUntil].compactMap { $0 }.min()
        return Survey(status: status, overduePeriods: overduePeriods, nextChange: next)
    }

    /// Logs each period once when it becomes overdue (many at once as one line).
    mutating func logOverdue(_ id: String, _ periods: [Period]) {
        let keys = periods.map { PeriodKey(ledgerID: id, periodStart: $0.startTime) }
        let fresh = overdueLogs[id, default: OverdueLog()].newlyOverdue(keys)
        guard let oldest = fresh.first else { return }
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
    }

    /// Notes a completed period for `last_completed_period_end`.
    mutating func noteCompleted(_ entry: JournalEntry) {
        guard entry.event == .completed, let known = lastCompleted[entry.ledgerID] else { return }
        if entry.periodEnd > known { lastCompleted[entry.ledgerID] = entry.periodEnd }
    }
}
