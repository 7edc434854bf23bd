/// The exact datagrams ``SystemdNotifier`` sends, as pure values.
///
/// Kept apart from the sending so the wire format is testable without a socket
/// and so status text can never inject another assignment (a newline in
/// `STATUS=` would otherwise start a new `KEY=value` line).
enum NotifyMessage {
    static func ready(status: String?) -> String {
        guard let status else { return "READY=1" }
        return "READY=1\nSTATUS=\(oneLine(status))"
    }

    static func status(_ text: String) -> String {
        "STATUS=\(oneLine(text))"
    }

    static let stopping = "STOPPING=1"

    static let watchdog = "WATCHDOG=1"

    static func reloading(monotonicMicroseconds: UInt64) -> String {
        "RELOADING=1\nMONOTONIC_USEC=\(monotonicMicroseconds)"
    }

    static func extendTimeout(_ duration: Duration) -> String {
        "EXTEND_TIMEOUT_USEC=\(microseconds(duration))"
    }

    /// Whole microseconds in `duration`, clamped at zero (systemd takes an unsigned value).
    static func microseconds(_ duration: Duration) -> UInt64 {
        let (seconds, attoseconds) = duration.components
        guard seconds >= 0, attoseconds >= 0 || seconds > 0 else { return 0 }
        let micros = seconds.multipliedReportingOverflow(by: 1_000_000)
        guard !micros.overflow else { return UInt64.max - 1 }
        let total = micros.partialValue + attoseconds / 1_000_000_000_000
        return total < 0 ? 0 : UInt64(total)
    }

    /// Status text on one line: control characters (newlines included) become spaces.
    static func oneLine(_ text: String) -> String {
        String(String.UnicodeScalarView(text.unicodeScalars.map { scalar in
            scalar.properties.generalCategory == .control ? " " : scalar
        }))
    }
}
