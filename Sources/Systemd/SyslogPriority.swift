import Logging

/// swift-log levels as syslog priorities, the `PRIORITY=` journald field and the
/// `<N>` prefix systemd parses on a service's stderr.
///
/// | Logger.Level     | priority |
/// |------------------|----------|
/// | trace, debug     | 7 (debug) |
/// | info             | 6 (info) |
/// | notice           | 5 (notice) |
/// | warning          | 4 (warning) |
/// | error            | 3 (err) |
/// | critical         | 2 (crit) |
public enum SyslogPriority {
    public static func of(_ level: Logger.Level) -> Int {
        switch level {
        case .trace, .debug: 7
        case .info: 6
        case .notice: 5
        case .warning: 4
        case .error: 3
        case .critical: 2
        }
    }
}
