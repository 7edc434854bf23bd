import Synchronization
import Systemd

/// Records what the daemon tells systemd, so tests assert READY/STATUS/RELOADING/STOPPING
/// and watchdog pings without a socket.
public final class RecordingNotifier: SystemdNotifying {
    public enum Message: Sendable, Equatable {
        case ready(String?)
        case status(String)
        case stopping
        case reloading
        case watchdog
        case extendTimeout(Duration)
    }

    private let log = Mutex<[Message]>([])
    public let isEnabled = true
    public let watchdogInterval: Duration?

    public init(watchdogInterval: Duration? = nil) {
        self.watchdogInterval = watchdogInterval
    }

    public var messages: [Message] { log.withLock { $0 } }

    public func ready(status: String?) { log.withLock { $0.append(.ready(status)) } }
    public func status(_ text: String) { log.withLock { $0.append(.status(text)) } }
    public func stopping() { log.withLock { $0.append(.stopping) } }
    public func reloading() { log.withLock { $0.append(.reloading) } }
    public func watchdog() { log.withLock { $0.append(.watchdog) } }
    public func extendTimeout(_ duration: Duration) { log.withLock { $0.append(.extendTimeout(duration)) } }
}
