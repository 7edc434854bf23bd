/// The one vocabulary for where a period stands, used by `plan`, `journal`, `STATUS=`,
/// the metrics and the README alike.
///
/// | state             | journal's last event            | meaning |
/// |-------------------|---------------------------------|---------|
/// | `pending`         | (none)                          | due, not fired yet |
/// | `in_flight`       | `intent`, `fired`, `progress`   | POSTed (or about to be); its task is polled |
/// | `reconciling`     | `reconciling`                   | POST outcome unknown; looking for its batches |
/// | `retrying`        | `task_failed`                   | the task failed; fired again after a backoff |
/// | `not_fired`       | `not_fired`                     | the API refused the POST or was unreachable; tried again |
/// | `preview_empty`   | `preview_empty`                 | the preview predicted no batches; re-checked |
/// | `retry_requested` | `retry_requested`               | an operator asked for one more generation |
/// | `held`            | `held`                          | the ledger is held (batches unlisted or unknown ones found) |
/// | `conflict`        | `held` (detail `conflict`)      | a batch only partly overlaps the period |
/// | `completed`       | `completed`                     | done (marked `reconciled` or `found on the API` with batch ids when so) |
/// | `failed`, `ambiguous`, `skipped` | the same         | terminal; an operator may `retry` |
public enum PeriodStateName {
    public static let pending = "pending"
    public static let inFlight = "in_flight"

    public static func of(_ record: PeriodRecord?) -> String {
        guard let record else { return pending }
        switch record.lastEvent {
        case .intent, .fired, .progress: return inFlight
        case .reconciling: return "reconciling"
        case .taskFailed: return "retrying"
        case .notFired: return "not_fired"
        case .previewEmpty: return "preview_empty"
        case .retryRequested: return "retry_requested"
        case .held: return record.detail == PeriodRun.conflictDetail ? "conflict" : "held"
        case .completed, .failed, .skipped, .ambiguous: return record.lastEvent.rawValue
        }
    }

    /// How a completed period came to be: `found_on_api` (its batches were on the API
    /// before any POST), `reconciled` (a POST of unknown outcome, whose batches were found),
    /// or nil for an ordinary completion.
    public static func completion(_ record: PeriodRecord) -> String? {
        guard record.lastEvent == .completed, let detail = record.detail else { return nil }
        if detail.hasPrefix(PeriodRun.foundDetailPrefix) { return "found_on_api" }
        if detail.hasPrefix("reconciled") { return "reconciled" }
        return nil
    }
}
