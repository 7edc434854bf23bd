/// What the daemon tells its service manager, as a capability.
///
/// The daemon depends on this protocol rather than on ``SystemdNotifier`` so its
/// tests can record the notifications (a `Recording…` double in test support)
/// without a socket. ``SystemdNotifier`` is the implementation that speaks the
/// `sd_notify(3)` protocol.
public protocol SystemdNotifying: Sendable {
    /// Whether notifications go anywhere (`NOTIFY_SOCKET` is set).
    var isEnabled: Bool { get }
    /// How often to send ``watchdog()``: half of `WATCHDOG_USEC`, or `nil` when no watchdog applies to us.
    var watchdogInterval: Duration? { get }

    /// `READY=1` (plus `STATUS=` when given): start-up is complete.
    func ready(status: String?) throws(SystemdNotifyError)
    /// `STATUS=`: a one-line, human-readable state shown by `systemctl status`.
    func status(_ text: String) throws(SystemdNotifyError)
    /// `STOPPING=1`: shutdown has begun.
    func stopping() throws(SystemdNotifyError)
    /// `RELOADING=1` + `MONOTONIC_USEC=`: a reload has begun; finish it with ``ready(status:)``.
    func reloading() throws(SystemdNotifyError)
    /// `WATCHDOG=1`: the service is alive and making progress.
    func watchdog() throws(SystemdNotifyError)
    /// `EXTEND_TIMEOUT_USEC=`: the current start/stop/reload needs this much longer.
    func extendTimeout(_ duration: Duration) throws(SystemdNotifyError)
}

extension SystemdNotifying {
    /// `READY=1` without a status line.
    public func ready() throws(SystemdNotifyError) {
        try ready(status: nil)
    }
}
