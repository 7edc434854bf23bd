import MangroveAPI
import SchedulerCore

/// A batch generation the simulator accepted. Its state is a pure function of the
/// simulator's `now`: `pending` for `task_pending_seconds`, then `running` for
/// `task_duration_seconds`, then `complete` or (decided at creation) `failed`.
struct SimulatedTask: Sendable, Hashable {
    var id: Int
    var ledgerID: String
    /// Numeric ledger id for `args.ledger_id` (the seeds show an integer there).
    var ledgerNumber: Int
    /// Normalised request times (`2025-01-01T00:00:00.000Z`).
    var startTime: String
    var endTime: String
    var createdAtMs: Int64
    var pendingMs: Int64
    var durationMs: Int64
    var willFail: Bool
    var batchCount: Int

    var startedAtMs: Int64 { createdAtMs + pendingMs }
    var finishedAtMs: Int64 { createdAtMs + pendingMs + durationMs }

    /// The task as `GET /async_tasks/{id}` shows it at `nowMs`.
    /// `authorization` is the asking request's header, echoed where the config says so.
    func snapshot(atMs nowMs: Int64, config: SimulatorConfig, authorization: String? = nil) -> AsyncTask {
        let args = JSONValue.object([
            "project_id": .number(Double(config.projectID)),
            "ledger_id": .number(Double(ledgerNumber)),
        ])
        var task = AsyncTask(
            id: id, state: TaskState(rawValue: config.taskInitialState), progress: 0, createdAt: UTCTimestamp.format(milliseconds: createdAtMs), args: args
        )
        if nowMs < startedAtMs { return task }
        task.startedAt = UTCTimestamp.format(milliseconds: startedAtMs)
        if nowMs < finishedAtMs {
            let fraction = Double(nowMs - startedAtMs) / Double(max(durationMs, 1))
            task.state = .running
            task.progress = config.taskProgress.percent(atFraction: fraction)
            let batch = min(batchCount, Int(fraction * Double(batchCount)) + 1)
            task.progressDescription = "Processing batch \(batch) of \(batchCount)"
            if config.echoAuthInProgress, let authorization {
                task.progressDescription! += " (Authentication context: \(authorization))"
            }
            return task
        }
        task.finishedAt = UTCTimestamp.format(milliseconds: finishedAtMs)
        if willFail {
            // The failure hits while the last batch is processed.
            task.state = .failed
            task.progress = 100 * (batchCount - 1) / batchCount
            task.errorMessage = config.taskFailureMessage
            if config.echoAuthInTaskError, let authorization {
                task.errorMessage! += ". Authentication context: \(authorization)"
            }
        } else {
            task.state = .complete
            task.progress = 100
        }
        return task
    }
}
