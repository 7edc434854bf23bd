import Foundation

/// The life of one period from "due" to a terminal journal event, as a pure state machine.
/// Each method is named after what just happened and returns the actions to carry out in
/// order; the daemon's actor performs them (journal first, then network) and reports back.
///
/// Safety rules encoded here:
/// - `intent` is recorded before every POST, so a crash leaves evidence.
/// - A POST that may have reached the server (unknown outcome, or `intent` found on
///   replay) is never re-sent: its period is reconciled against the ledger's batches and,
///   failing that, recorded `ambiguous`.
/// - A POST the API refused or that was never sent records `not_fired` and is tried again
///   later, because nothing was generated.
public struct PeriodRun: Sendable {
    public enum Action: Sendable, Hashable {
        /// Append (and fsync) this line before doing anything else.
        case record(JournalEntry)
        /// Ask `generate_preview`, then call `previewReturned`/`previewFailed`.
        case preview
        /// POST `batch_generations`, then call `postAccepted`/`postFailed`.
        case post
        /// At `at`, GET the task, then call `pollReturned`/`pollFailed`.
        case poll(taskID: Int, at: Date)
        /// At `at`, GET the ledger's batches, then call `batchesReturned`/`batchesFailed`.
        case checkBatches(at: Date)
        /// At `at`, call `start` again (re-fire after `not_fired`, `task_failed`, empty preview).
        case restart(at: Date)
        /// The ledger is unusable (missing, no model, auth): hold all its periods until `until`.
        case holdLedger(until: Date, reason: String)
        /// The task's polls stopped giving usable answers (undecodable bodies, unknown
        /// states): it no longer counts against `max_in_flight`, so healthy ledgers are not
        /// starved; it is still polled (at `max_interval`) until it ends or `task_timeout`.
        case releaseSlot(reason: String)
        /// A terminal event was recorded; the ledger may move on.
        case finished(JournalEvent)
    }

    /// Unusable poll answers in a row before the task's slot is released.
    public static let unusablePollLimit = 3

    public let ledger: LedgerSchedule
    public let period: Period
    public let polling: PollingPolicy
    public let recovery: RecoveryPolicy
    public private(set) var record: PeriodRecord?
    private var pollCount = 0
    /// Polls in a row that gave no usable answer (failed, undecodable, unknown state).
    private var unusablePolls = 0
    private var successfulChecks = 0
    private var checkCount = 0
    private var ledgerHolds = 0
    private var lastUnknownReason: String?
    /// Seconds from firing to completion of the ledger's recent generations (`JournalState.recentDurations`).
    public let recentDurations: [Double]
    /// The progress-aware poll schedule of the current task (from its first usable poll).
    public private(set) var pollSchedule: PollSchedule?

    /// - Parameter ledgerHolds: how many times in a row this ledger was already held
    ///   (the hold backoff keeps doubling across runs of the same period).
    /// - Parameter recentDurations: how long the ledger's recent generations took, in
    ///   seconds from firing to completion (`JournalState.recentDurations(ledgerID:)`); the
    ///   poll schedule estimates the finish from them until the task's progress tells more.
    public init(ledger: LedgerSchedule, period: Period, record: PeriodRecord?, polling: PollingPolicy, recovery: RecoveryPolicy,
                ledgerHolds: Int = 0, recentDurations: [Double] = []) {
        self.ledgerHolds = ledgerHolds
        self.recentDurations = recentDurations
        self.ledger = ledger
        self.period = period
        self.record = record
        self.polling = polling
        self.recovery = recovery
    }

    public var key: PeriodKey { PeriodKey(ledgerID: ledger.id, periodStart: period.startTime) }
    public var taskID: Int? { record?.taskID }
    public var isFinished: Bool { record?.isTerminal ?? false }

    private mutating func journal(_ event: JournalEvent, at now: Date, error: String? = nil, detail: String? = nil,
                                state: String? = nil, progress: Int? = nil, batchIDs: [String]? = nil) -> Action {
        let e = JournalEntry(
            time: now, ledgerID: ledger.id, periodStart: period.startTime, periodEnd: period.endTime, event: event,
            taskID: event == .intent ? nil : record?.taskID, attempt: (record?.attempts ?? 0) + (event == .intent ? 1 : 0),
            state: state, progress: progress, error: error, batchIDs: batchIDs, detail: detail)
        _ = JournalState.fold(e, into: &record)
        return .record(e)
    }

    // MARK: - Start and resume

    /// Begin, or resume from what the journal says.
    public mutating func start(now: Date) -> [Action] {
        guard let record else { return fire(now: now) }
        switch record.lastEvent {
        case .completed, .failed, .skipped, .ambiguous:
            return [.finished(record.lastEvent)]
        case .fired, .progress:
            guard let id = record.taskID else { return beginReconcile(now: now, reason: "journal shows a fired task without a task id") }
            return [.poll(taskID: id, at: now)]
        case .intent:
            return beginReconcile(now: now, reason: "the daemon stopped after recording intent, before the API's answer was journaled")
        case .reconciling:
            return [.checkBatches(at: now)]
        case .notFired, .retryRequested, .held:
            return fire(now: now)
        case .taskFailed:
            let due = record.lastTime.addingTimeInterval(refireDelay(failures: record.taskFailures).seconds)
            return due > now ? [.restart(at: due)] : fire(now: now)
        case .previewEmpty:
            let due = record.lastTime.addingTimeInterval(recovery.emptyPreviewRecheck.seconds)
            return due > now ? [.restart(at: due)] : fire(now: now)
        }
    }

    private mutating func fire(now: Date) -> [Action] {
        if ledger.preview { return [.preview] }
        return [journal(.intent, at: now), .post]
    }

    /// How long after a POST the API provably did not process (429, 503 with
    /// `Retry-After`, never connected) the period is fired again, after its `not_fired`
    /// line: the API's `Retry-After` (at most 5 minutes) or the API retry backoff.
    private func notProcessedDelay(notFired: Int, retryAfter: Duration?) -> Duration {
        let backoff = Backoff.apiRetry.ceiling(forAttempt: max(0, notFired - 1))
        guard let retryAfter else { return backoff }
        return max(backoff, min(retryAfter, .seconds(300)))
    }

    private func refireDelay(failures: Int) -> Duration {
        Backoff(initial: recovery.failedTaskBackoff, cap: recovery.failedTaskBackoff * 16, jitter: .none)
            .ceiling(forAttempt: max(0, failures - 1))
    }

    // MARK: - Preview

    public mutating func previewReturned(_ entries: [(id: String, count: Int)], now: Date) -> [Action] {
        ledgerHolds = 0
        let count = entries.first(where: { $0.id == ledger.id })?.count ?? entries.reduce(0) { $0 + $1.count }
        if count > 0 { return [journal(.intent, at: now, detail: "preview predicts \(count) batches"), .post] }
        let empties = (record?.emptyPreviews ?? 0) + 1
        if empties >= recovery.emptyPreviewLimit {
            return [journal(.skipped, at: now, error: "generate_preview predicted 0 batches \(empties) times in a row; nothing to generate"), .finished(.skipped)]
        }
        return [
            journal(.previewEmpty, at: now, detail: "generate_preview predicted 0 batches; re-checking later"),
            .restart(at: now.addingTimeInterval(recovery.emptyPreviewRecheck.seconds)),
        ]
    }

    public mutating func previewFailed(_ error: APIErrorSummary, now: Date) -> [Action] {
        [hold(now: now, reason: "generate_preview failed: \(error.message)")]
    }

    private mutating func hold(now: Date, reason: String) -> Action {
        .holdLedger(until: nextHoldEnd(now: now), reason: reason)
    }

    /// The end of the next hold of this ledger: `unavailable_ledger_backoff`, doubling with
    /// each hold in a row, capped at 16×.
    private mutating func nextHoldEnd(now: Date) -> Date {
        ledgerHolds += 1
        return now.addingTimeInterval(Self.holdDelay(recovery, holds: ledgerHolds - 1).seconds)
    }

    /// The wait after `holds` holds of a ledger in a row: `unavailable_ledger_backoff`,
    /// doubling, capped at 16×. The one rule for every kind of hold.
    public static func holdDelay(_ recovery: RecoveryPolicy, holds: Int) -> Duration {
        Backoff(initial: recovery.unavailableLedgerBackoff, cap: recovery.unavailableLedgerBackoff * 16, jitter: .none)
            .ceiling(forAttempt: holds)
    }

    // MARK: - Look before you fire

    /// `detail` of a `held` line for a batch that only partly overlaps the period.
    public static let conflictDetail = "conflict"
    /// `detail` of a `held` line while the ledger's batches cannot be listed.
    public static let unverifiedDetail = "cannot verify"
    /// `detail` of a `held` line while recent activity found on the API is waited out.
    public static let recentActivityDetail = "recent activity"
    /// Start of the `detail` of a `completed` line for a period whose batches were found on the API.
    public static let foundDetailPrefix = "found on the API"

    /// A `held` line, unless the period's last line already says the same.
    private mutating func heldLine(at now: Date, error: String, detail: String) -> [Action] {
        if record?.lastEvent == .held, record?.lastError == error, record?.detail == detail { return [] }
        return [journal(.held, at: now, error: error, detail: detail)]
    }

    /// A listing made after the period's last POST shows batches inside it: they are
    /// recorded, and the period is never generated again.
    public mutating func foundOnAPI(batchIDs: [String], now: Date) -> [Action] {
        ledgerHolds = 0
        let detail = "\(Self.foundDetailPrefix): batches not made by this daemon (or not in its journal) already cover this period; not generated again"
        return [journal(.completed, at: now, detail: detail, batchIDs: batchIDs), .finished(.completed)]
    }

    /// A batch only partly overlaps the period: never POST; hold the ledger for an operator.
    public mutating func conflictOnAPI(_ batch: LedgerBatches.Span, now: Date) -> [Action] {
        let message = "batch \(batch.id) on the API (\(UTCTimestamp.format(batch.start))…\(UTCTimestamp.format(batch.end))) only partly overlaps period \(period.startTime)…\(period.endTime); generating it could double-count. Align the ledger's cadence and time_zone with the batches on the API, or move first_period_start past them"
        let lines = heldLine(at: now, error: message, detail: Self.conflictDetail)
        return lines + [.restart(at: nextHoldEnd(now: now))]
    }

    /// The ledger's batches could not be listed: nothing may be fired; try again after the hold backoff.
    public mutating func listingFailed(_ error: APIErrorSummary, now: Date) -> [Action] {
        let message = "cannot list the ledger's batches to check that \(period.startTime) was not generated already (\(error.message)); nothing is fired for this ledger until they can be listed"
        let lines = heldLine(at: now, error: message, detail: Self.unverifiedDetail)
        return lines + [.restart(at: nextHoldEnd(now: now))]
    }

    /// Batches the journal did not know about were found: a generation of this period may
    /// still be running on the server (its batches not listed yet). Wait, then list again.
    public mutating func awaitRecentActivity(until: Date, found: Int, now: Date) -> [Action] {
        let message = "\(found) period\(found == 1 ? "" : "s") of this ledger had batches on the API that the journal did not know about; waiting until \(UTCTimestamp.format(until)) (recovery.reconcile_window) and listing again before generating \(period.startTime)"
        return heldLine(at: now, error: message, detail: Self.recentActivityDetail) + [.restart(at: until)]
    }

    // MARK: - POST

    public mutating func postAccepted(taskID: Int, state: String, now: Date) -> [Action] {
        ledgerHolds = 0
        pollCount = 0
        pollSchedule = nil
        record?.taskID = taskID
        let fired = journal(.fired, at: now, state: state)
        return [fired, .poll(taskID: taskID, at: now.addingTimeInterval(polling.firstPollAfter.seconds))]
    }

    /// POSTs the API provably did not process, in a row, before the ledger is held with
    /// `unavailable_ledger_backoff` instead of re-fired after `Retry-After`/the API backoff.
    public static let quickRefires = 6

    public mutating func postFailed(_ error: APIErrorSummary, now: Date) -> [Action] {
        switch error.kind {
        case .outcomeUnknown:
            return beginReconcile(now: now, reason: error.message)
        case .notProcessed:
            // Journaled before any wait, so a crash during it never leaves a bare `intent`.
            let note = journal(.notFired, at: now, error: error.message)
            let notFired = record?.consecutiveNotFired ?? 1
            if notFired >= Self.quickRefires { return [note, hold(now: now, reason: error.message)] }
            let delay = notProcessedDelay(notFired: notFired, retryAfter: error.retryAfter)
            return [note, .restart(at: now.addingTimeInterval(delay.seconds))]
        case .refused, .unreachable:
            let note = journal(.notFired, at: now, error: error.message)
            return [note, hold(now: now, reason: error.message)]
        }
    }

    // MARK: - Polling

    /// `rng` jitters the next poll. `startedAt` is the task's `started_at`, when the API sent one.
    public mutating func pollReturned(state: String, progress: Int?, startedAt: Date? = nil, errorMessage: String?, now: Date,
                                      using rng: inout some RandomNumberGenerator) -> [Action] {
        guard let id = record?.taskID else { return beginReconcile(now: now, reason: "poll without a task id") }
        switch state {
        case "complete":
            return [journal(.completed, at: now, state: state, progress: progress ?? 100), .finished(.completed)]
        case "failed":
            let message = "task \(id) failed: \(errorMessage ?? "the API gave no error_message")"
            let failures = (record?.taskFailures ?? 0)
            if failures < recovery.failedTaskRetries {
                let note = journal(.taskFailed, at: now, error: message, detail: "will fire again (retry \(failures + 1) of \(recovery.failedTaskRetries))")
                return [note, .restart(at: now.addingTimeInterval(refireDelay(failures: failures + 1).seconds))]
            }
            return [journal(.failed, at: now, error: message), .finished(.failed)]
        default:
            let progressed = progress != nil && progress != record?.progress
            var actions: [Action] = []
            if state != record?.state || progressed {
                actions.append(journal(.progress, at: now, state: state, progress: progress))
            }
            // A state the API does not document, with no progress, tells nothing usable.
            if state != "pending", state != "running", !progressed {
                return actions + unusablePoll(id: id, reason: "the API reports state \"\(state)\"", now: now, using: &rng)
            }
            unusablePolls = 0
            observe(progress: progress, startedAt: startedAt, now: now)
            return actions + continuePolling(id: id, now: now, estimate: true, using: &rng)
        }
    }

    /// A poll that told nothing usable; after `unusablePollLimit` in a row the task's slot
    /// is released (once) and it is polled at `max_interval`.
    private mutating func unusablePoll(id: Int, reason: String, now: Date, using rng: inout some RandomNumberGenerator) -> [Action] {
        unusablePolls += 1
        var actions: [Action] = []
        if unusablePolls == Self.unusablePollLimit {
            actions.append(.releaseSlot(reason: "\(unusablePolls) polls of task \(id) in a row gave no usable answer (last: \(reason))"))
        }
        let polling = continuePolling(id: id, now: now, using: &rng)
        guard unusablePolls >= Self.unusablePollLimit, case .poll(let task, _)? = polling.last, polling.count == 1 else {
            return actions + polling
        }
        return actions + [.poll(taskID: task, at: now.addingTimeInterval(self.polling.maxInterval.seconds))]
    }

    public mutating func pollFailed(_ error: APIErrorSummary, now: Date, using rng: inout some RandomNumberGenerator) -> [Action] {
        guard let id = record?.taskID else { return beginReconcile(now: now, reason: error.message) }
        if error.status == 404 {
            return beginReconcile(now: now, reason: "task \(id) is unknown to the API (404)")
        }
        return unusablePoll(id: id, reason: error.message, now: now, using: &rng)
    }

    /// Folds a usable answer into the poll schedule (started on the task's first one).
    private mutating func observe(progress: Int?, startedAt: Date?, now: Date) {
        if pollSchedule == nil {
            pollSchedule = PollSchedule(firedAt: record?.firedAt ?? now, postedAt: record?.lastIntentAt, recentDurations: recentDurations)
        }
        pollSchedule?.observe(progress: progress, startedAt: startedAt, at: now)
    }

    /// The next poll: after a usable answer (`estimate`) from the progress-aware
    /// `PollSchedule`; after an unusable one, as before: backoff by the number of polls,
    /// jittered within −20 % of the ceiling.
    private mutating func continuePolling(id: Int, now: Date, estimate: Bool = false, using rng: inout some RandomNumberGenerator) -> [Action] {
        let firedAt = record?.firedAt ?? now
        if now.timeIntervalSince(firedAt) >= polling.taskTimeout.seconds {
            let limit = ISODurationFormat.format(polling.taskTimeout)
            return [journal(.failed, at: now, error: "task \(id) did not finish within \(limit) (task_timeout); it may still be running on the server: check the ledger before retrying"), .finished(.failed)]
        }
        pollCount += 1
        if estimate, var schedule = pollSchedule {
            let next = schedule.next(now: now, policy: polling, using: &rng)
            pollSchedule = schedule
            return [.poll(taskID: id, at: next.at)]
        }
        let unusable = Backoff(initial: polling.firstPollAfter, cap: polling.maxInterval, jitter: .proportional(0.2))
        let delay = unusable.delay(forAttempt: pollCount, using: &rng)
        return [.poll(taskID: id, at: now.addingTimeInterval(delay.seconds))]
    }

    // MARK: - Reconciliation

    private mutating func beginReconcile(now: Date, reason: String) -> [Action] {
        lastUnknownReason = reason
        checkCount = 0
        successfulChecks = 0
        let note = journal(.reconciling, at: now, error: reason, detail: "POST outcome unknown; looking for the period's batches before deciding")
        return [note, .checkBatches(at: now.addingTimeInterval(recovery.reconcileAfter.seconds))]
    }

    /// `batches` are (id, start_time, end_time) of the ledger's batches.
    public mutating func batchesReturned(_ batches: [(id: String, start: String?, end: String?)], now: Date) -> [Action] {
        successfulChecks += 1
        let matching = batches.filter { b in
            guard let s = b.start.flatMap(UTCTimestamp.parse), let e = b.end.flatMap(UTCTimestamp.parse) else { return false }
            return s >= period.start && e < period.end && s <= e
        }.map(\.id)
        if !matching.isEmpty {
            return [journal(.completed, at: now, detail: "reconciled: the API has batches for this period", batchIDs: matching.sorted()), .finished(.completed)]
        }
        return nextCheckOrGiveUp(now: now)
    }

    public mutating func batchesFailed(_ error: APIErrorSummary, now: Date) -> [Action] {
        nextCheckOrGiveUp(now: now)
    }

    private mutating func nextCheckOrGiveUp(now: Date) -> [Action] {
        let since = record?.reconcilingSince ?? now
        if successfulChecks > 0, now.timeIntervalSince(since) >= recovery.reconcileWindow.seconds {
            let reason = record?.lastError ?? lastUnknownReason ?? "unknown"
            let window = ISODurationFormat.format(recovery.reconcileWindow)
            let message = "POST outcome unknown (\(reason)) and no batches for this period appeared within \(window); check the ledger, then run `mangrove-scheduler retry --ledger \(ledger.id) --period \(period.startTime)` if nothing was generated"
            return [journal(.ambiguous, at: now, error: message), .finished(.ambiguous)]
        }
        checkCount += 1
        let backoff = Backoff(initial: recovery.reconcileAfter, cap: max(recovery.reconcileAfter, .seconds(300)), jitter: .none)
        return [.checkBatches(at: now.addingTimeInterval(backoff.ceiling(forAttempt: checkCount).seconds))]
    }
}

/// What the state machine needs to know about a failed API call (kept free of the API
/// module so the core stays pure).
public struct APIErrorSummary: Error, Sendable, Hashable {
    public enum Kind: Sendable, Hashable {
        /// The API answered and refused (4xx, or a retryable status after the retry budget).
        case refused
        /// The request never reached the API.
        case unreachable
        /// It may have been processed: never re-send without reconciliation.
        case outcomeUnknown
        /// The API provably did not process it (408, 429, 503 with `Retry-After`, never
        /// connected): try again after `retryAfter` or a short backoff.
        case notProcessed
    }

    public var kind: Kind
    public var status: Int?
    public var message: String
    /// The API's `Retry-After`, when it sent one.
    public var retryAfter: Duration?

    public init(kind: Kind, status: Int? = nil, message: String, retryAfter: Duration? = nil) {
        self.kind = kind
        self.status = status
        self.message = message
        self.retryAfter = retryAfter
    }
}


/// Formats a `Duration` back as ISO 8601 (`PT6H`, `PT30M`, `PT1H30M`) for messages.
public enum ISODurationFormat {
    public static func format(_ d: Duration) -> String {
        var s = Int(d.seconds.rounded())
        if s == 0 { return "PT0S" }
        var out = "P"
        if s >= 86_400, s % 86_400 == 0 { return "P\(s / 86_400)D" }
        out += "T"
        if s >= 3600 { out += "\(s / 3600)H"; s %= 3600 }
        if s >= 60 { out += "\(s / 60)M"; s %= 60 }
        if s > 0 { out += "\(s)S" }
        return out
    }
}
