import Foundation

/// The sane range of every duration and date in the schedule. A value outside is an
/// error (with its JSON path) from `check`, `run` and a reload: a connect timeout of
/// 100 ns makes every request fail, a `first_period_start` in year 1 makes the daemon
/// POST two thousand years of periods. The README's schedule table states each bound.
///
/// | key                                  | at least | at most |
/// |--------------------------------------|----------|---------|
/// | `api.connect_timeout`                | PT0.1S   | PT5M    |
/// | `api.request_timeout`                | PT1S     | PT1H    |
/// | `polling.first_poll_after`           | PT0.1S   | PT1H    |
/// | `polling.max_interval`               | PT0.1S   | P1D     |
/// | `polling.task_timeout`               | PT1M     | P7D     |
/// | `recovery.failed_task_backoff`       | PT1S     | P7D     |
/// | `recovery.reconcile_after`           | PT1S     | P1D     |
/// | `recovery.reconcile_window`          | PT1S     | P7D     |
/// | `recovery.unavailable_ledger_backoff`| PT1S     | P1D     |
/// | `recovery.empty_preview_recheck`     | PT1M     | P7D     |
/// | `alerts.overdue_after`              | PT1M     | P31D    |
/// | `settle_delay`                       | PT0S     | P31D    |
/// | `first_period_start`                 | 2000-01-01T00:00:00Z | (a warning when more than 5 years before now) |
public enum ScheduleBounds {
    /// Bounds of the fixed durations, by their key inside their object.
    public static let durations: [String: ClosedRange<Duration>] = [
        "api.connect_timeout": .milliseconds(100) ... .seconds(5 * 60),
        "api.request_timeout": .seconds(1) ... .seconds(3600),
        "polling.first_poll_after": .milliseconds(100) ... .seconds(3600),
        "polling.max_interval": .milliseconds(100) ... .seconds(86_400),
        "polling.task_timeout": .seconds(60) ... .seconds(7 * 86_400),
        "recovery.failed_task_backoff": .seconds(1) ... .seconds(7 * 86_400),
        "recovery.reconcile_after": .seconds(1) ... .seconds(86_400),
        "recovery.reconcile_window": .seconds(1) ... .seconds(7 * 86_400),
        "recovery.unavailable_ledger_backoff": .seconds(1) ... .seconds(86_400),
        "recovery.empty_preview_recheck": .seconds(60) ... .seconds(7 * 86_400),
        "alerts.overdue_after": .seconds(60) ... .seconds(31 * 86_400),
    ]

    /// The longest `settle_delay` (approximate seconds: a month counts 30 days).
    public static let maxSettleDelaySeconds: Double = 31 * 86_400

    /// The earliest `first_period_start`: 2000-01-01T00:00:00Z.
    public static let earliestFirstPeriodStart = Date(timeIntervalSince1970: 946_684_800)

    /// A `first_period_start` more than this many years before now is a warning that says
    /// how many periods the catch-up will generate.
    public static let catchUpWarningYears = 5

    /// `PT0.1S`, `PT5M`, `PT1H`, `P1D`: a bound as the schedule spells durations.
    public static func isoText(_ duration: Duration) -> String {
        let (whole, atto) = duration.components
        if atto == 0, whole > 0, whole % 86_400 == 0 { return "P\(whole / 86_400)D" }
        if atto == 0, whole > 0, whole % 3600 == 0 { return "PT\(whole / 3600)H" }
        if atto == 0, whole > 0, whole % 60 == 0 { return "PT\(whole / 60)M" }
        if atto == 0 { return "PT\(whole)S" }
        let seconds = Double(whole) + Double(atto) / 1e18
        var text = String(format: "%.9f", seconds)
        while text.hasSuffix("0") { text.removeLast() }
        return "PT\(text)S"
    }
}
