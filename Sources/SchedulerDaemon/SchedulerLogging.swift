import Logging
import SchedulerCore

/// Turns the state machine's `SchedulerLog` lines into swift-log calls with the metadata
/// journald indexes (`LEDGER_ID`, `PERIOD_START`, `TASK_ID`, `MANGROVE_EVENT`, …).
enum SchedulerLogging {
    static func metadata(for line: SchedulerLog) -> Logger.Metadata {
        var m: Logger.Metadata = [:]
        if let v = line.ledgerID { m["ledger_id"] = "\(v)" }
        if let v = line.periodStart { m["period_start"] = "\(v)" }
        if let v = line.periodEnd { m["period_end"] = "\(v)" }
        if let v = line.taskID { m["task_id"] = "\(v)" }
        if let v = line.attempt { m["attempt"] = "\(v)" }
        if let v = line.event { m["mangrove_event"] = "\(v)" }
        if let v = line.error { m["error"] = "\(v)" }
        return m
    }

    static func emit(_ line: SchedulerLog, to logger: Logger) {
        let level: Logger.Level
        switch line.level {
        case .debug: level = .debug
        case .info: level = .info
        case .notice: level = .notice
        case .warning: level = .warning
        case .error: level = .error
        case .critical: level = .critical
        }
        logger.log(level: level, "\(line.message)", metadata: metadata(for: line))
    }
}
