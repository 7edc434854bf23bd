/// Why the journal file cannot be used; each message names the file and what to do.
public enum JournalError: Error, Sendable, Equatable, CustomStringConvertible {
    /// Another process holds the journal's lock.
    case locked(path: String, holderPID: Int32?)
    case cannotOpen(path: String, reason: String)
    case cannotWrite(path: String, reason: String)
    case cannotRead(path: String, reason: String)
    /// The file at the journal's path is no longer the one the daemon opened (deleted,
    /// renamed, truncated or restored from a copy while it ran).
    case replaced(path: String, reason: String)

    /// The journal was replaced or removed under the running daemon.
    public var isReplaced: Bool {
        if case .replaced = self { return true }
        return false
    }

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
        case .replaced(let path, let reason):
            return "journal \(path) was replaced or removed while the daemon ran (\(reason)); nothing more is written to it. Restart the daemon: it resumes from the file now at that path and lists each ledger's batches on the API before generating anything"
        }
    }
}
