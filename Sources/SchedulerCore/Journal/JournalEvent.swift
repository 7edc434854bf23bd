/// What one journal line records. The four terminal events end a period; every other
/// event leaves it pending (and visible) until one of them is written.
public enum JournalEvent: String, Sendable, Hashable, CaseIterable {
    /// About to POST (fsync'd first): after a crash the POST's outcome is unknown.
    case intent
    /// The API accepted the POST (202) and returned `task_id`.
    case fired
    /// The task's state or progress changed.
    case progress
    /// The POST's outcome is unknown (timeout, reset, 5xx): looking for the period's batches.
    case reconciling
    /// The POST was refused or never sent (4xx, unreachable): nothing was generated.
    case notFired = "not_fired"
    /// The task ended `failed` and the period will be fired again (attempts remain).
    case taskFailed = "task_failed"
    /// `generate_preview` predicted 0 batches; re-checked later.
    case previewEmpty = "preview_empty"
    /// An operator asked for one more generation of a failed or ambiguous period.
    case retryRequested = "retry_requested"
    /// Nothing is fired for the ledger until the reason clears: its batches could not be
    /// listed, a batch only partly overlaps the period (`detail` is `conflict`), or batches
    /// unknown to the journal were found and recent activity is waited out.
    case held
    case completed
    case failed
    case skipped
    case ambiguous

    public var isTerminal: Bool {
        switch self {
        case .completed, .failed, .skipped, .ambiguous: true
        default: false
        }
    }
}
