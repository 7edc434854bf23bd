import MangroveAPI
import SchedulerCore

/// Why the daemon could not start, with the exit status systemd should see:
/// 78 (EX_CONFIG) for configuration a restart cannot fix, so `RestartPreventExitStatus=78`
/// stops a crash loop; 1 for everything else.
public enum DaemonError: Error, Sendable, CustomStringConvertible {
    case schedule(ScheduleError)
    case token(APIError)
    case journal(JournalError)

    public var exitCode: Int32 {
        switch self {
        case .schedule, .token: 78
        case .journal: 1
        }
    }

    public var description: String {
        switch self {
        case .schedule(let e): "invalid schedule:\n\(e)"
        case .token(let e): e.description
        case .journal(let e): e.description
        }
    }
}
