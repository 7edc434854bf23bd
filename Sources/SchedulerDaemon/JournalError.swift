/// Why the journal file cannot be used; each message names the file and what to do.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process holds the journal's lock.
    case locked(path: String, holderPID: Int32?)
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)

    public var description: String {
        switch self {
        case .locked(let path, let pid):
            let holder = pid.map { "process \($0)" } ?? "another process"
            return "journal \(path) is locked by \(holder) (another mangrove-scheduler owns it); stop that daemon first, or give this one a different journal_path"
        case .cannotOpen(let path, let reason):
            return "cannot open journal \(path): \(reason); check that the directory exists and is writable (StateDirectory=mangrove-scheduler under systemd)"
        case .cannotWrite(let path, let reason):
            return "cannot append to journal \(path): \(reason)"
        case .cannotRead(let path, let reason):
            return "cannot read journal \(path): \(reason)"
        }
    }
}
