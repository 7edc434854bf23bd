import Foundation
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes one line per statement to stderr.
///
/// Two audiences: under systemd without a journal stream (or when journald is
/// unavailable), ``Style/systemdPrefixed`` lines start with the `sd-daemon(3)`
/// `<N>` priority prefix that systemd turns into `PRIORITY=`, and carry no
/// timestamp (the journal adds one); in a terminal, ``Style/terminal`` lines
/// read `2026-11-23T13:01:23Z warning  message key=value`. Metadata is printed
/// as sorted `key=value` pairs, values quoted when they contain spaces, quotes,
/// `=` or control characters.
public struct StderrLogHandler: LogHandler {
    /// How lines are laid out.
    public enum Style: Sendable, Equatable {
        /// `<4>message key=value` — for stderr captured by systemd.
        case systemdPrefixed
        /// `2026-11-23T13:01:23Z warning  message key=value` — for people.
        case terminal
    }

    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?
    public let label: String
    public let style: Style

    public init(
        label: String,
        style: Style,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.label = label
        self.style = style
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = LogMetadata.merged(
            handler: metadata, provider: metadataProvider, explicit: event.metadata, error: event.error
        )
        let message = event.message.description
        let line = switch style {
        case .systemdPrefixed:
            Self.systemdPrefixedLine(level: event.level, message: message, metadata: merged)
        case .terminal:
            Self.terminalLine(at: Date(), level: event.level, message: message, metadata: merged)
        }
        Self.writeToStandardError(line)
    }

    /// `<N>message key=value\n`; every line of a multi-line message gets the prefix,
    /// so systemd does not log continuation lines at the default priority.
    static func systemdPrefixedLine(level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        let prefix = "<\(SyslogPriority.of(level))>"
        let pairs = formatPairs(metadata)
        let text = pairs.isEmpty ? message : "\(message) \(pairs)"
        return text.split(separator: "\n", omittingEmptySubsequences: false)
            .map { prefix + $0 }
            .joined(separator: "\n") + "\n"
    }

    /// `2026-11-23T13:01:23Z info     message key=value\n` (UTC, level padded to 8).
    static func terminalLine(at date: Date, level: Logger.Level, message: String, metadata: Logger.Metadata) -> String {
        let levelText = level.rawValue.padding(toLength: 8, withPad: " ", startingAt: 0)
        let pairs = formatPairs(metadata)
        return "\(utcSecond(date)) \(levelText) \(message)\(pairs.isEmpty ? "" : " " + pairs)\n"
    }

    /// Sorted `key=value` pairs separated by spaces.
    static func formatPairs(_ metadata: Logger.Metadata) -> String {
        metadata.sorted(by: { $0.key < $1.key })
            .map { "\($0.key)=\(quoteIfNeeded(LogMetadata.text($0.value)))" }
            .joined(separator: " ")
    }

    /// The value as is when it is one plain word; otherwise double-quoted with `\"`, `\\`, `\n` escapes.
    static func quoteIfNeeded(_ value: String) -> String {
        let needsQuotes = value.isEmpty || value.unicodeScalars.contains { scalar in
            scalar == " " || scalar == "\"" || scalar == "=" || scalar == "\\"
                || scalar.properties.generalCategory == .control
        }
        guard needsQuotes else { return value }
        var quoted = "\""
        for scalar in value.unicodeScalars {
            switch scalar {
            case "\"": quoted += "\\\""
            case "\\": quoted += "\\\\"
            case "\n": quoted += "\\n"
            case "\t": quoted += "\\t"
            case "\r": quoted += "\\r"
            default:
                if scalar.properties.generalCategory == .control {
                    quoted += "\\u{\(String(scalar.value, radix: 16))}"
                } else {
                    quoted.unicodeScalars.append(scalar)
                }
            }
        }
        return quoted + "\""
    }

    /// `yyyy-MM-ddTHH:mm:ssZ`.
    static func utcSecond(_ date: Date) -> String {
        var seconds = time_t(date.timeIntervalSince1970.rounded(.down))
        var parts = tm()
        gmtime_r(&seconds, &parts)
        func two(_ value: Int32) -> String { value < 10 ? "0\(value)" : "\(value)" }
        return "\(parts.tm_year + 1900)-\(two(parts.tm_mon + 1))-\(two(parts.tm_mday))T"
            + "\(two(parts.tm_hour)):\(two(parts.tm_min)):\(two(parts.tm_sec))Z"
    }

    /// Writes the whole line with as few `write(2)` calls as possible (one, normally),
    /// so lines from concurrent tasks do not interleave mid-line.
    static func writeToStandardError(_ line: String) {
        var bytes = Array(line.utf8)
        bytes.withUnsafeMutableBytes { buffer in
            guard var pointer = buffer.baseAddress else { return }
            var remaining = buffer.count
            while remaining > 0 {
                let written = write(STDERR_FILENO, pointer, remaining)
                if written < 0 {
                    if errno == EINTR { continue }
                    return  // stderr itself is gone: there is nowhere left to report to.
                }
                remaining -= written
                pointer += written
            }
        }
    }
}
