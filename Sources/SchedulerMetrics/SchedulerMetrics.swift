import Foundation
import MangroveClient
import CoreMetrics
import Prometheus
import SchedulerCore
#if canImport(Glibc)
import Glibc
#endif

/// The daemon's Prometheus metrics, in a registry the daemon owns (no global
/// `MetricsSystem.bootstrap`, so tests make as many as they like). The scheduler calls the
/// typed methods below; `HTTPBatchAPI` reports each request through `APIRequestRecording`;
/// `MetricsService` serves `render()` at `/metrics` and writes the textfile.
///
/// Names follow Prometheus conventions (`mangrove_scheduler_…`, `_total` for counters,
/// base units `_seconds`, timestamps `_timestamp_seconds`). Labels are bounded: a ledger
/// id, an outcome, an endpoint template, a status class, a held reason; never a period or
/// a task id.
///
/// | metric | type | labels |
/// |---|---|---|
/// | `mangrove_scheduler_build_info` | gauge (1) | `version` |
/// | `mangrove_scheduler_generations_total` | counter | `ledger_id`, `outcome` (completed, failed, ambiguous, skipped, found_on_api) |
/// | `mangrove_scheduler_api_requests_total` | counter | `endpoint`, `status_class` (2xx…5xx, transport) |
/// | `mangrove_scheduler_api_request_duration_seconds` | histogram | `endpoint` |
/// | `mangrove_scheduler_periods_due` | gauge | `ledger_id` (due, not done, not in flight) |
/// | `mangrove_scheduler_periods_in_flight` | gauge | `ledger_id` |
/// | `mangrove_scheduler_periods_overdue` | gauge | `ledger_id` |
/// | `mangrove_scheduler_ledger_held` | gauge (0/1) | `ledger_id`, `reason` |
/// | `mangrove_scheduler_ledger_paused` | gauge (0/1) | `ledger_id` |
/// | `mangrove_scheduler_ledger_paused_since_timestamp_seconds` | gauge | `ledger_id` |
/// | `mangrove_scheduler_last_completed_period_end_timestamp_seconds` | gauge | `ledger_id` |
/// | `mangrove_scheduler_journal_lines` | gauge | |
/// | `mangrove_scheduler_journal_replay_seconds` | gauge | |
/// | `mangrove_scheduler_ledgers` | gauge | |
public final class SchedulerMetrics: APIRequestRecording, Sendable {
    public let registry: PrometheusCollectorRegistry

    /// The same registry for code that records through swift-metrics
    /// (`Prometheus.Counter(label:dimensions:factory:)`), without bootstrapping the global system.
    public var factory: any CoreMetrics.MetricsFactory { PrometheusMetricsFactory(registry: registry) }

    /// What a generation ended as, for `generations_total{outcome}`.
    public enum Outcome: String, Sendable, CaseIterable {
        case completed, failed, ambiguous, skipped
        /// Completed because its batches were already on the API (not generated).
        case foundOnAPI = "found_on_api"
    }

    /// Why a ledger is held, for `ledger_held{reason}` (a closed set: bounded labels).
    public enum HeldReason: String, Sendable, CaseIterable {
        /// Its batches could not be listed (`cannot verify`).
        case unverified
        /// A batch only partly overlaps a period.
        case conflict
        /// Batches unknown to the journal were found; recent activity is waited out.
        case recentActivity = "recent_activity"
        /// The API refused the ledger (404, no model, 401).
        case unavailable

        /// The reason a `held` journal line's `detail` names, if any.
        public init?(heldDetail: String?) {
            switch heldDetail {
            case PeriodRun.conflictDetail: self = .conflict
            case PeriodRun.unverifiedDetail: self = .unverified
            case PeriodRun.recentActivityDetail: self = .recentActivity
            case LedgerStatus.unavailableDetail: self = .unavailable
            case nil: return nil
            default: self = .unverified
            }
        }
    }

    /// One ledger's gauges, set together.
    public struct LedgerGauges: Sendable, Equatable {
        public var dueNotDone: Int
        public var inFlight: Int
        public var overdue: Int
        public var held: HeldReason?
        public var paused: LedgerPause?
        /// The end (next period's start) of the newest completed period.
        public var lastCompletedEnd: Date?

        public init(dueNotDone: Int = 0, inFlight: Int = 0, overdue: Int = 0, held: HeldReason? = nil, paused: LedgerPause? = nil, lastCompletedEnd: Date? = nil) {
            self.dueNotDone = dueNotDone
            self.inFlight = inFlight
            self.overdue = overdue
            self.held = held
            self.paused = paused
            self.lastCompletedEnd = lastCompletedEnd
        }
    }

    static let namespace = "mangrove_scheduler"
    /// Latency buckets of API requests, in seconds (an attempt is cut at `api.request_timeout`, PT30S).
    public static let latencyBuckets: [Double] = [0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 30, 60]

    private let journalLines: Prometheus.Gauge
    private let journalReplaySeconds: Prometheus.Gauge
    private let ledgerCount: Prometheus.Gauge
    private let state = LockedState()

    public init(version: String, registry: PrometheusCollectorRegistry = PrometheusCollectorRegistry()) {
        self.registry = registry
        registry.makeGauge(
            descriptor: Self.name("build_info", help: "Always 1; the version label says which mangrove-scheduler runs."),
            labels: [("version", version)]
        ).set(to: 1)
        journalLines = registry.makeGauge(descriptor: Self.name("journal_lines", help: "Lines in the journal (replayed at start plus appended since)."))
        journalReplaySeconds = registry.makeGauge(descriptor: Self.name("journal_replay", unit: "seconds", help: "How long replaying the journal took at start-up."))
        ledgerCount = registry.makeGauge(descriptor: Self.name("ledgers", help: "Ledgers in the schedule in force."))
    }

    static func name(_ metric: String, unit: String = "", help: String) -> MetricNameDescriptor {
        MetricNameDescriptor(namespace: namespace, metricName: metric, unitName: unit, helpText: help)
    }

    // MARK: - What the scheduler calls

    /// Call once per ledger of the schedule at start and after every reload, so each
    /// ledger's counters exist at 0 (rules can use `increase()` from the first scrape),
    /// and ledgers no longer scheduled are dropped.
    public func scheduleLoaded(ledgerIDs: [String]) {
        ledgerCount.set(to: Double(ledgerIDs.count))
        let removed = state.withLock { s -> [String] in
            let gone = Set(s.ledgers.keys).subtracting(ledgerIDs)
            for id in ledgerIDs where s.ledgers[id] == nil { s.ledgers[id] = makeLedger(id) }
            return Array(gone)
        }
        for id in removed { removeLedger(id) }
    }

    /// A period ended (terminal journal event). Found-on-the-API completions count as
    /// `found_on_api`, not `completed`.
    public func generationFinished(ledgerID: String, outcome: Outcome) {
        ledger(ledgerID).generations[outcome]?.increment()
    }

    /// The per-ledger gauges, from the pure core (`LedgerStatus`).
    public func setLedgerGauges(ledgerID: String, _ g: LedgerGauges) {
        let l = ledger(ledgerID)
        l.due.set(to: Double(g.dueNotDone))
        l.inFlight.set(to: Double(g.inFlight))
        l.overdue.set(to: Double(g.overdue))
        for (reason, gauge) in l.held { gauge.set(to: g.held == reason ? 1 : 0) }
        l.paused.set(to: g.paused == nil ? 0 : 1)
        l.pausedSince.set(to: g.paused.map { $0.since.timeIntervalSince1970 } ?? 0)
        if let end = g.lastCompletedEnd { l.lastCompletedEnd.set(to: end.timeIntervalSince1970) }
    }

    /// At start-up, after the journal was replayed.
    public func journalReplayed(lines: Int, seconds: Double) {
        journalLines.set(to: Double(lines))
        journalReplaySeconds.set(to: seconds)
    }

    /// After each line appended to the journal.
    public func journalLineAppended() {
        journalLines.increment()
    }

    // MARK: - APIRequestRecording

    public func requestFinished(endpoint: String, statusClass: String, seconds: Double) {
        let (counter, histogram) = state.withLock { s -> (Prometheus.Counter, ValueHistogram) in
            let key = "\(endpoint)\u{0}\(statusClass)"
            let counter = s.requests[key] ?? registry.makeCounter(
                descriptor: Self.name("api_requests", unit: "total", help: "Mangrove API requests (each attempt) by endpoint and status class."),
                labels: [("endpoint", endpoint), ("status_class", statusClass)])
            s.requests[key] = counter
            let histogram = s.latency[endpoint] ?? registry.makeValueHistogram(
                descriptor: Self.name("api_request_duration", unit: "seconds", help: "Mangrove API request latency, from sending to the last byte of the answer."),
                labels: [("endpoint", endpoint)], buckets: Self.latencyBuckets)
            s.latency[endpoint] = histogram
            return (counter, histogram)
        }
        counter.increment()
        histogram.record(seconds)
    }

    // MARK: - Exposition

    /// The Prometheus text exposition format (version 0.0.4).
    public func render() -> String { registry.emitToString() }

    // MARK: - Per-ledger series

    final class LedgerSeries: Sendable {
        let generations: [Outcome: Prometheus.Counter]
        let due, inFlight, overdue, paused, pausedSince, lastCompletedEnd: Prometheus.Gauge
        let held: [HeldReason: Prometheus.Gauge]
        var all: [Prometheus.Gauge] { [due, inFlight, overdue, paused, pausedSince, lastCompletedEnd] + Array(held.values) }

        init(generations: [Outcome: Prometheus.Counter], due: Prometheus.Gauge, inFlight: Prometheus.Gauge, overdue: Prometheus.Gauge, paused: Prometheus.Gauge, pausedSince: Prometheus.Gauge, lastCompletedEnd: Prometheus.Gauge, held: [HeldReason: Prometheus.Gauge]) {
            self.generations = generations
            self.due = due
            self.inFlight = inFlight
            self.overdue = overdue
            self.paused = paused
            self.pausedSince = pausedSince
            self.lastCompletedEnd = lastCompletedEnd
            self.held = held
        }
    }

    private func ledger(_ id: String) -> LedgerSeries {
        state.withLock { s in
            if let l = s.ledgers[id] { return l }
            let l = makeLedger(id)
            s.ledgers[id] = l
            return l
        }
    }

    private func makeLedger(_ id: String) -> LedgerSeries {
        let label = ("ledger_id", id)
        func gauge(_ name: String, unit: String = "", _ help: String) -> Prometheus.Gauge {
            registry.makeGauge(descriptor: Self.name(name, unit: unit, help: help), labels: [label])
        }
        var generations: [Outcome: Prometheus.Counter] = [:]
        for o in Outcome.allCases {
            generations[o] = registry.makeCounter(
                descriptor: Self.name("generations", unit: "total", help: "Periods that ended, by outcome (found_on_api: its batches were already on the API)."),
                labels: [label, ("outcome", o.rawValue)])
        }
        var held: [HeldReason: Prometheus.Gauge] = [:]
        for r in HeldReason.allCases {
            held[r] = registry.makeGauge(
                descriptor: Self.name("ledger_held", help: "1 while nothing fires for the ledger, by reason."),
                labels: [label, ("reason", r.rawValue)])
        }
        return LedgerSeries(
            generations: generations,
            due: gauge("periods_due", "Closed periods due and not done (not yet fired, or waiting to fire again); in-flight ones excluded."),
            inFlight: gauge("periods_in_flight", "Periods whose generation is in flight (POSTed, polled, or being reconciled)."),
            overdue: gauge("periods_overdue", "Periods not completed alerts.overdue_after after they became due."),
            paused: gauge("ledger_paused", "1 while an operator paused the ledger (mangrove-scheduler pause)."),
            pausedSince: gauge("ledger_paused_since", unit: "timestamp_seconds", "When the ledger was paused (Unix time); 0 when not paused."),
            lastCompletedEnd: gauge("last_completed_period_end", unit: "timestamp_seconds", "End of the newest completed period (Unix time)."),
            held: held)
    }

    private func removeLedger(_ id: String) {
        guard let l = state.withLock({ $0.ledgers.removeValue(forKey: id) }) else { return }
        for g in l.all { registry.unregisterGauge(g) }
        for c in l.generations.values { registry.unregisterCounter(c) }
    }

    final class LockedState: @unchecked Sendable {
        struct Values {
            var ledgers: [String: LedgerSeries] = [:]
            var requests: [String: Prometheus.Counter] = [:]
            var latency: [String: ValueHistogram] = [:]
        }
        private let lock = NSLock()
        private var values = Values()

        func withLock<T>(_ body: (inout Values) -> T) -> T {
            lock.lock()
            defer { lock.unlock() }
            return body(&values)
        }
    }
}
