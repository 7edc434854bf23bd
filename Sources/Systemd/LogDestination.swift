import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// Where the daemon's logs should go, decided once at start-up from how it was launched.
///
/// systemd tells a service that its stderr *is* the journal by setting
/// `JOURNAL_STREAM=DEV:INO` to that stream's device and inode; only then do we
/// send structured entries (a child that merely inherited the variable has a
/// different stderr). Rules, first match wins:
///
/// 1. `JOURNAL_STREAM` equals fd 2's `st_dev:st_ino` → ``journald``;
/// 2. stderr is a terminal → ``terminal`` (e.g. `StandardError=tty`, or a person);
/// 3. `INVOCATION_ID` or `NOTIFY_SOCKET` is set (we run under systemd, stderr is
///    a file or socket) → ``systemdPrefixed``;
/// 4. otherwise → ``terminal``.
public enum LogDestination: Sendable, Equatable {
    /// Structured entries via ``JournaldLogHandler``.
    case journald
    /// `<N>`-prefixed lines on stderr via ``StderrLogHandler``.
    case systemdPrefixed
    /// Human-readable lines on stderr via ``StderrLogHandler``.
    case terminal

    public static func choose(
        environment: [String: String],
        stderrDeviceInode: (dev: UInt64, ino: UInt64)?,
        stderrIsTTY: Bool
    ) -> LogDestination {
        if let stream = environment["JOURNAL_STREAM"], let stderr = stderrDeviceInode,
           let parsed = parseJournalStream(stream), parsed.dev == stderr.dev, parsed.ino == stderr.ino {
            return .journald
        }
        if stderrIsTTY { return .terminal }
        if environment["INVOCATION_ID"] != nil || environment["NOTIFY_SOCKET"] != nil {
            return .systemdPrefixed
        }
        return .terminal
    }

    /// `"DEV:INO"` (decimal) as numbers.
    static func parseJournalStream(_ value: String) -> (dev: UInt64, ino: UInt64)? {
        let parts = value.split(separator: ":", omittingEmptySubsequences: false)
        guard parts.count == 2, let dev = UInt64(parts[0]), let ino = UInt64(parts[1]) else { return nil }
        return (dev, ino)
    }

    /// A handler for this destination.
    public func makeHandler(label: String, identifier: String, level: Logger.Level) -> any LogHandler {
        var handler: any LogHandler = switch self {
        case .journald: JournaldLogHandler(label: label, identifier: identifier)
        case .systemdPrefixed: StderrLogHandler(label: label, style: .systemdPrefixed)
        case .terminal: StderrLogHandler(label: label, style: .terminal)
        }
        handler.logLevel = level
        return handler
    }

    /// The destination for this process: `fstat(2)`s fd 2 and reads the process environment.
    public static func detect(
        environment: [String: String] = ProcessInfo.processInfo.environment
    ) -> LogDestination {
        var status = stat()
        let inode: (dev: UInt64, ino: UInt64)? = fstat(STDERR_FILENO, &status) == 0
            ? (UInt64(status.st_dev), UInt64(status.st_ino))
            : nil
        return choose(environment: environment, stderrDeviceInode: inode, stderrIsTTY: isatty(STDERR_FILENO) == 1)
    }

    /// Detects the destination and installs it with `LoggingSystem.bootstrap`.
    ///
    /// For `main` only, and only once per process: swift-log traps on a second
    /// bootstrap. Returns the chosen destination so `main` can mention it.
    @discardableResult
    public static func bootstrap(identifier: String, level: Logger.Level) -> LogDestination {
        let destination = detect()
        LoggingSystem.bootstrap { label in
            destination.makeHandler(label: label, identifier: identifier, level: level)
        }
        return destination
    }
}
