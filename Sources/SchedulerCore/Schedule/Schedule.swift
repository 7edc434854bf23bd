import Foundation

/// A validated schedule: every value resolved (defaults applied, durations parsed,
/// time zones looked up), so the daemon never re-checks configuration at run time.
public struct Schedule: Sendable, Equatable {
    public var api: APISettings
    /// Where the journal lives (absolute, or relative to the schedule file's folder).
    public var journalPath: String
    public var ledgers: [LedgerSchedule]
    public var limits: Limits
    public var polling: PollingPolicy
    public var recovery: RecoveryPolicy
    public var metrics: MetricsSettings
    public var alerts: AlertSettings

    public init(
        api: APISettings, journalPath: String, ledgers: [LedgerSchedule], limits: Limits = .init(),
        polling: PollingPolicy = .init(), recovery: RecoveryPolicy = .init(),
        metrics: MetricsSettings = .init(), alerts: AlertSettings = .init()
    ) {
        self.metrics = metrics
        self.alerts = alerts
        self.api = api
        self.journalPath = journalPath
        self.ledgers = ledgers
        self.limits = limits
        self.polling = polling
        self.recovery = recovery
    }

    public static let defaultJournalPath = "/var/lib/mangrove-scheduler/journal.jsonl"
}

/// How to reach the API. The token itself is never part of the schedule.
public struct APISettings: Sendable, Equatable {
    public var baseURL: String
    /// A file holding the token, used when no systemd credential is present.
    public var tokenFile: String?
    public var connectTimeout: Duration
    public var requestTimeout: Duration

    public init(baseURL: String, tokenFile: String? = nil, connectTimeout: Duration = .seconds(10), requestTimeout: Duration = .seconds(30)) {
        self.baseURL = baseURL
        self.tokenFile = tokenFile
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
    }
}

/// Global throttles: how many generations may run at once across all ledgers, and how
/// many API requests per second the daemon sends.
public struct Limits: Sendable, Equatable {
    public var maxInFlight: Int
    public var requestsPerSecond: Double

    public init(maxInFlight: Int = 4, requestsPerSecond: Double = 5) {
        self.maxInFlight = maxInFlight
        self.requestsPerSecond = requestsPerSecond
    }
}

/// Polling of an async task: first poll about `firstPollAfter` after firing, then
/// exponential backoff (×2, ±20 %) up to `maxInterval`; after `taskTimeout` the period is
/// recorded `failed`.
public struct PollingPolicy: Sendable, Equatable {
    public var firstPollAfter: Duration
    public var maxInterval: Duration
    public var taskTimeout: Duration

    public init(firstPollAfter: Duration = .seconds(2), maxInterval: Duration = .seconds(60), taskTimeout: Duration = .seconds(6 * 3600)) {
        self.firstPollAfter = firstPollAfter
        self.maxInterval = maxInterval
        self.taskTimeout = taskTimeout
    }

    /// The poll backoff when a task gives no progress signal: ×2 per poll, ±20 %, capped.
    public var backoff: Backoff {
        Backoff(initial: firstPollAfter, cap: maxInterval, jitter: .symmetric(0.2))
    }
}

/// What happens after things go wrong: failed tasks, POSTs of unknown outcome,
/// unavailable ledgers, empty previews.
public struct RecoveryPolicy: Sendable, Equatable {
    /// How many times a period whose task ended `failed` is fired again (a failed task
    /// produced no batches, so this cannot double-count).
    public var failedTaskRetries: Int
    /// Wait before re-firing a failed task; doubles with each retry.
    public var failedTaskBackoff: Duration
    /// First look for the batches of a POST whose outcome is unknown.
    public var reconcileAfter: Duration
    /// How long to keep looking before recording `ambiguous`.
    public var reconcileWindow: Duration
    /// Re-check a ledger the API says is missing or has no model after this long (doubling, capped at 16×).
    public var unavailableLedgerBackoff: Duration
    /// Re-check an empty preview after this long.
    public var emptyPreviewRecheck: Duration
    /// Empty previews in a row before the period is recorded `skipped`.
    public var emptyPreviewLimit: Int
    /// How old a listing of the ledger's batches may be and still clear a period for a
    /// POST (`LookBeforeFire`).
    public var verifyMaxAge: Duration

    public init(
        failedTaskRetries: Int = 2, failedTaskBackoff: Duration = .seconds(900), reconcileAfter: Duration = .seconds(30),
        reconcileWindow: Duration = .seconds(1800), unavailableLedgerBackoff: Duration = .seconds(300),
        emptyPreviewRecheck: Duration = .seconds(3600), emptyPreviewLimit: Int = 24,
        verifyMaxAge: Duration = .seconds(300)
    ) {
        self.verifyMaxAge = verifyMaxAge
        self.failedTaskRetries = failedTaskRetries
        self.failedTaskBackoff = failedTaskBackoff
        self.reconcileAfter = reconcileAfter
        self.reconcileWindow = reconcileWindow
        self.unavailableLedgerBackoff = unavailableLedgerBackoff
        self.emptyPreviewRecheck = emptyPreviewRecheck
        self.emptyPreviewLimit = emptyPreviewLimit
    }
}

/// One ledger's cadence and where its history starts.
public struct LedgerSchedule: Sendable, Equatable {
    public var id: String
    public var name: String?
    public var cadence: Cadence
    public var timeZone: TimeZone
    /// The first period generated is the first one starting at or after this instant.
    public var firstPeriodStart: Date
    /// How long after a period's end it becomes due (late data still arriving).
    public var settleDelay: ISODuration
    /// Ask `generate_preview` first and do not fire when it predicts 0 batches.
    public var preview: Bool

    public init(
        id: String, name: String? = nil, cadence: Cadence, timeZone: TimeZone = TimeZone(identifier: "UTC")!,
        firstPeriodStart: Date, settleDelay: ISODuration = .zero, preview: Bool = false
    ) {
        self.id = id
        self.name = name
        self.cadence = cadence
        self.timeZone = timeZone
        self.firstPeriodStart = firstPeriodStart
        self.settleDelay = settleDelay
        self.preview = preview
    }

    public var calendar: PeriodCalendar { PeriodCalendar(cadence: cadence, timeZone: timeZone) }

    /// The oldest period this ledger generates.
    public var firstPeriod: Period { calendar.firstPeriod(startingAtOrAfter: firstPeriodStart) }

    /// When `period` becomes due: its end plus the settle delay.
    public func dueInstant(of period: Period) -> Date {
        settleDelay.added(to: period.end, in: timeZone)
    }

    public static func == (lhs: LedgerSchedule, rhs: LedgerSchedule) -> Bool {
        lhs.id == rhs.id && lhs.name == rhs.name && lhs.cadence == rhs.cadence
            && lhs.timeZone.identifier == rhs.timeZone.identifier && lhs.firstPeriodStart == rhs.firstPeriodStart
            && lhs.settleDelay == rhs.settleDelay && lhs.preview == rhs.preview
    }
}
