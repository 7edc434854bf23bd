#if canImport(Glibc)
import Glibc
#endif

/// A notification that could not be delivered to the service manager.
///
/// Only raised when `NOTIFY_SOCKET` is set, i.e. systemd expects to hear from
/// us: a lost `READY=1` fails the start, a lost `WATCHDOG=1` gets us killed, so
/// callers decide (log it, or end the service) instead of it vanishing.
public struct SystemdNotifyError: Error, Sendable, Equatable, CustomStringConvertible {
    /// The assignment that was being sent, e.g. `READY=1`.
    public let state: String
    /// The `errno` returned by `sd_notify(3)` (positive).
    public let errno: Int32

    public init(state: String, errno: Int32) {
        self.state = state
        self.errno = errno
    }

    public var description: String {
        let reason = String(cString: strerror(errno))
        return "sd_notify(\(state)) failed: \(reason) (errno \(errno)); is NOTIFY_SOCKET still valid?"
    }
}
