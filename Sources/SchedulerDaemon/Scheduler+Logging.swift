import Foundation
import Logging
import MangroveAPI
import SchedulerCore
import ServiceLifecycle
import Systemd

/// Log lines for journal entries, with the structured fields journald indexes.
extension Scheduler {
    func meta(_ ledgerID: String, _ periodStart: String?, task: Int? = nil, event: String? = nil, error: String? = nil) -> Logger.Metadata {
        var m: Logger.Metadata = ["ledger_id": "\(ledgerID)"]
        if let periodStart { m["period_start"] = "\(periodStart)" }
        if let task { m["task_id"] = "\(task)" }
        if let event { m["mangrove_event"] = "\(event)" }
        if let error { m["error"] = "\(error)" }
        return m
    }

    func log(_ e: JournalEntry) {
        var m = meta(e.ledgerID, e.periodStart, task: e.taskID, event: e.event.rawValue, error: e.error)
        m["period_end"] = "\(e.periodEnd)"
        if let attempt = e.attempt { m["attempt"] = "\(attempt)" }
        let what = "\(e.ledgerID) \(e.periodStart)…\(e.periodEnd)"
        switch e.event {
        case .intent: logger.debug("firing \(what) (attempt \(e.attempt ?? 1))", metadata: m)
        case .fired: logger.info("fired \(what): task \(e.taskID ?? 0)", metadata: m)
        case .progress: logger.debug("task \(e.taskID ?? 0) \(e.state ?? "?") \(e.progress.map { "\($0)%" } ?? "")", metadata: m)
        case .completed where e.detail?.hasPrefix(PeriodRun.foundDetailPrefix) == true:
            m["mangrove_event"] = "found_on_api"
            logger.warning("found on the API \(what): batches \((e.batchIDs ?? []).joined(separator: ", ")) already cover it; recorded completed, not generated again", metadata: m)
        case .held:
            switch e.detail {
            case PeriodRun.conflictDetail:
                m["mangrove_event"] = "batch_conflict"
                logger.error("ledger \(e.ledgerID) held at \(e.periodStart): \(e.error ?? "")", metadata: m)
            case PeriodRun.unverifiedDetail:
                m["mangrove_event"] = "ledger_unverified"
                logger.warning("ledger \(e.ledgerID) held at \(e.periodStart): \(e.error ?? "")", metadata: m)
            default:
                logger.notice("ledger \(e.ledgerID) held at \(e.periodStart): \(e.error ?? "")", metadata: m)
            }
        case .completed: logger.info("completed \(what)\(e.taskID.map { ": task \($0)" } ?? "")\(e.detail.map { " (\($0))" } ?? "")", metadata: m)
        case .reconciling: logger.warning("POST for \(what) has an unknown outcome (\(e.error ?? "")); reconciling against the ledger's batches", metadata: m)
        case .notFired: logger.warning("not fired \(what): \(e.error ?? "")", metadata: m)
        case .taskFailed: logger.warning("task \(e.taskID ?? 0) for \(what) failed: \(e.error ?? ""); \(e.detail ?? "")", metadata: m)
        case .previewEmpty: logger.notice("preview for \(what) predicts no batches; re-checking later", metadata: m)
        case .retryRequested: logger.notice("retry requested for \(what)", metadata: m)
        case .skipped: logger.notice("skipped \(what): \(e.error ?? "")", metadata: m)
        case .failed: logger.error("failed \(what): \(e.error ?? "")", metadata: m)
        case .ambiguous: logger.error("ambiguous \(what): \(e.error ?? "")", metadata: m)
        }
    }
}
