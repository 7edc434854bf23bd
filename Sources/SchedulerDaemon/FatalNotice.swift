import Systemd

/// What systemd is told when the daemon exits on an error.
enum FatalNotice {
    /// `STATUS=fatal: REASON; exiting` (one line), then `STOPPING=1`.
    static func send(_ error: any Error, to notifier: any SystemdNotifying) {
        try? notifier.status(statusText(error))
        try? notifier.stopping()
    }

    static func statusText(_ error: any Error) -> String {
        let reason = "\(error)".split(whereSeparator: \.isNewline).joined(separator: " / ")
        return "fatal: \(reason); exiting"
    }
}
