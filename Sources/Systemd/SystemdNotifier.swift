import CSystemd
import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Tells systemd about the daemon's life cycle through `sd_notify(3)` (libsystemd).
///
/// `Type=notify` units are "started" only once `READY=1` arrives, show `STATUS=`
/// in `systemctl status`, and are killed and restarted when `WATCHDOG=1` stops
/// arriving within `WatchdogSec=`. Outside systemd (no `NOTIFY_SOCKET`) every
/// method is a silent no-op, so the same binary runs in a terminal.
///
/// Where the address comes from: ``isEnabled`` and ``watchdogInterval`` are
/// decided from the environment given to `init` (testable), while the datagram
/// is sent by libsystemd's `sd_notify(0, …)`, which reads `NOTIFY_SOCKET` from
/// the *process* environment at send time. In production both are the process
/// environment. Tests that bind their own socket therefore `setenv` it (in a
/// `.serialized` suite) and pass the same value to `init`. If the process
/// environment has no `NOTIFY_SOCKET`, libsystemd sends nothing and reports
/// success-with-nothing-sent, which is treated as a no-op.
public struct SystemdNotifier: SystemdNotifying {
    /// The `NOTIFY_SOCKET` address seen at `init`, if any.
    public let notifySocket: String?
    public let watchdogInterval: Duration?

    /// - Parameters:
    ///   - environment: where `NOTIFY_SOCKET`, `WATCHDOG_USEC` and `WATCHDOG_PID` are read.
    ///   - processID: our pid, compared with `WATCHDOG_PID`.
    public init(
        environment: [String: String] = ProcessInfo.processInfo.environment,
        processID: Int32 = getpid()
    ) {
        let socket = environment["NOTIFY_SOCKET"].flatMap { $0.isEmpty ? nil : $0 }
        self.notifySocket = socket
        self.watchdogInterval = socket == nil
            ? nil
            : WatchdogInterval.fromEnvironment(environment, processID: processID)
    }

    public var isEnabled: Bool { notifySocket != nil }

    public func ready(status: String? = nil) throws(SystemdNotifyError) {
        try send(NotifyMessage.ready(status: status))
    }

    public func status(_ text: String) throws(SystemdNotifyError) {
        try send(NotifyMessage.status(text))
    }

    public func stopping() throws(SystemdNotifyError) {
        try send(NotifyMessage.stopping)
    }

    public func reloading() throws(SystemdNotifyError) {
        guard isEnabled else { return }
        try send(NotifyMessage.reloading(monotonicMicroseconds: Self.monotonicMicroseconds()))
    }

    public func watchdog() throws(SystemdNotifyError) {
        try send(NotifyMessage.watchdog)
    }

    public func extendTimeout(_ duration: Duration) throws(SystemdNotifyError) {
        try send(NotifyMessage.extendTimeout(duration))
    }

    private func send(_ message: String) throws(SystemdNotifyError) {
        guard isEnabled else { return }
        let result = sd_notify(0, message)
        if result < 0 {
            let firstLine = message.split(separator: "\n", maxSplits: 1).first.map(String.init) ?? message
            throw SystemdNotifyError(state: firstLine, errno: -result)
        }
    }

    /// `CLOCK_MONOTONIC` in microseconds, the clock systemd compares `MONOTONIC_USEC=` against.
    static func monotonicMicroseconds() -> UInt64 {
        var now = timespec()
        clock_gettime(CLOCK_MONOTONIC, &now)
        return UInt64(now.tv_sec) * 1_000_000 + UInt64(now.tv_nsec) / 1_000
    }
}
