import Foundation
import SchedulerCore

/// The operator files the executor reads on start-up and SIGHUP: retry requests and pauses.
extension Scheduler {
    func takeRequests() -> RequestBatch {
        let (requests, problems) = RetryRequestFile.take(journalPath: journal.path)
        pendingRequests = true
        return RequestBatch(retries: requests, problems: problems)
    }

    /// The pauses in the ledger controls file; nil when it cannot be read (logged; the
    /// pauses in force stay).
    func readControls() -> LedgerControlState? {
        do {
            let (controls, problems) = try LedgerControlFile.read(journalPath: journal.path)
            for p in problems {
                deps.logger.warning("\(LedgerControlFile.path(journalPath: journal.path)): \(p); the line is ignored", metadata: ["mangrove_event": "controls_problem"])
            }
            return controls
        } catch {
            deps.logger.error("\(error); pauses and resumes in it are not applied", metadata: ["mangrove_event": "controls_problem"])
            return nil
        }
    }

    func finishRequests() {
        if pendingRequests { RetryRequestFile.finishTaking(journalPath: journal.path) }
        pendingRequests = false
    }
}
