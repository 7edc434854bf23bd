import Foundation
import SchedulerCore
#if canImport(Glibc)
import Glibc
#endif

/// The ledger controls file, `<journal_path>.controls`: one JSON line per `pause` and
/// `resume` (`LedgerControlCodec`), appended and fsync'd by the command itself under an
/// exclusive `flock` of the file, then the running daemon is signalled (SIGHUP) and
/// re-reads it. The daemon only reads it, at start-up and on every reload, so a pause
/// takes effect the same way whether or not a daemon is running, and survives restarts.
public enum LedgerControlFile {
    public static func path(journalPath: String) -> String { journalPath + ".controls" }

    /// The current pauses; a missing file is "nothing paused". Bad lines are problems.
    public static func read(journalPath: String) throws(JournalError) -> (state: LedgerControlState, problems: [JournalProblem]) {
        let file = path(journalPath: journalPath)
        guard FileManager.default.fileExists(atPath: file) else { return (LedgerControlState(), []) }
        guard let data = FileManager.default.contents(atPath: file) else {
            throw .cannotRead(path: file, reason: "\(JournalFile.errnoText()); make it readable by the daemon's user")
        }
        return LedgerControlCodec.replay(String(decoding: data, as: UTF8.self))
    }

    /// Appends one line (fsync'd) under an exclusive lock of the file, so two operators
    /// running `pause` at once never interleave.
    public static func append(_ entry: LedgerControlEntry, journalPath: String) throws(JournalError) {
        try OperatorFile.append(LedgerControlCodec.encode(entry) + "\n", to: path(journalPath: journalPath))
    }
}

/// Tells a running daemon to pick up a request (retry, pause, resume): SIGHUP to the
/// process holding the journal's lock.
public enum DaemonSignal {
    public enum Outcome: Sendable, Equatable {
        case signalled(pid: Int32)
        case signalFailed(pid: Int32, reason: String)
        case holderUnknown
        case notRunning
    }

    public static func reload(journalPath: String) -> Outcome {
        let lock = JournalFile.lockState(journalPath: journalPath)
        if lock.locked, lock.pid == nil { return .holderUnknown }
        guard let pid = lock.pid else { return .notRunning }
        if kill(pid, SIGHUP) == 0 { return .signalled(pid: pid) }
        return .signalFailed(pid: pid, reason: String(cString: strerror(errno)))
    }

    /// The second half of a command's answer: "the daemon (pid 42) was signalled …".
    public static func sentence(_ outcome: Outcome, effect: String) -> String {
        switch outcome {
        case .signalled(let pid): "the daemon (pid \(pid)) was signalled and \(effect)"
        case .signalFailed(let pid, let reason): "signalling the daemon (pid \(pid)) failed (\(reason)): run `systemctl reload mangrove-scheduler`"
        case .holderUnknown: "a daemon holds the journal but its pid is unknown: run `systemctl reload mangrove-scheduler`"
        case .notRunning: "no daemon is running; it takes effect at the next start"
        }
    }
}
