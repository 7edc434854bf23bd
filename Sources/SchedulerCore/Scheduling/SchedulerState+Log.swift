import Foundation

/// Log lines for journal entries, with the structured fields journald indexes.
extension SchedulerState {
    mutating func log(_ e: JournalEntry) {
        let what = "\(e.ledgerID) \(e.periodStart)…\(e.periodEnd)"
        func line(_ level: SchedulerLog.Level, _ message: String, event: String = e.event.rawValue) -> SchedulerLog {
            SchedulerLog(level, message, event: event, ledgerID: e.ledgerID, periodStart: e.periodStart, periodEnd: e.periodEnd,
                         taskID: e.taskID, attempt: e.attempt, error: e.error)
        }
        let entry: SchedulerLog
        switch e.event {
        case .intent: entry = line(.debug, "firing \(what) (attempt \(e.attempt ?? 1))")
        case .fired: entry = line(.info, "fired \(what): task \(e.taskID ?? 0)")
        case .progress: entry = line(.debug, "task \(e.taskID ?? 0) \(e.state ?? "?") \(e.progress.map { "\($0)%" } ?? "")")
        case .completed where e.detail?.hasPrefix(PeriodRun.foundDetailPrefix) == true:
            entry = line(.warning, "found on the API \(what): batches \((e.batchIDs ?? []).joined(separator: ", ")) already cover it; recorded completed, not generated again", event: "found_on_api")
        case .completed: entry = line(.info, "completed \(what)\(e.taskID.map { ": task \($0)" } ?? "")\(e.detail.map { " (\($0))" } ?? "")")
        case .reconciling: entry = line(.warning, "POST for \(what) has an unknown outcome (\(e.error ?? "")); reconciling against the ledger's batches")
        case .notFired: entry = line(.warning, "not fired \(what): \(e.error ?? "")")
        case .taskFailed: entry = line(.warning, "task \(e.taskID ?? 0) for \(what) failed: \(e.error ?? ""); \(e.detail ?? "")")
        case .previewEmpty: entry = line(.notice, "preview for \(what) predicts no batches; re-checking later")
        case .retryRequested: entry = line(.notice, "retry requested for \(what)")
        case .skipped: entry = line(.notice, "skipped \(what): \(e.error ?? "")")
        case .failed: entry = line(.error, "failed \(what): \(e.error ?? "")")
        case .ambiguous: entry = line(.error, "ambiguous \(what): \(e.error ?? "")")
        case .held:
            let message = "ledger \(e.ledgerID) held at \(e.periodStart): \(e.error ?? "")"
            switch e.detail {
            case PeriodRun.conflictDetail: entry = line(.error, message, event: "batch_conflict")
            case PeriodRun.unverifiedDetail: entry = line(.warning, message, event: "ledger_unverified")
            default: entry = line(.notice, message)
            }
        }
        actions.append(.log(entry))
    }
}
