import Foundation
import SchedulerCore

/// What `check` verifies beyond the schedule's own validity, and what `run` refuses before
/// opening the journal: the things a typo in a path turns into a silent surprise.
public enum SchedulePreflight {
    /// Problems of the host, not the JSON: `api.token_file` missing (an error: the daemon
    /// would start without its token unless a credential or the environment has one), the
    /// journal's folder missing (a warning: `run` refuses to create it, except as the
    /// systemd StateDirectory, so a typo does not start a fresh, empty journal).
    public static func problems(schedule: Schedule, environment: [String: String]) -> [ScheduleProblem] {
        var problems: [ScheduleProblem] = []
        if let tokenFile = schedule.api.tokenFile {
            var isDirectory: ObjCBool = false
            if !FileManager.default.fileExists(atPath: tokenFile, isDirectory: &isDirectory) {
                problems.append(ScheduleProblem(.error, path: "api.token_file", message: "\(tokenFile) does not exist; create it (install -m 0600 /dev/stdin \(tokenFile)) or remove the key"))
            } else if isDirectory.boolValue {
                problems.append(ScheduleProblem(.error, path: "api.token_file", message: "\(tokenFile) is a directory; expected the file holding the API token"))
            } else if !FileManager.default.isReadableFile(atPath: tokenFile) {
                problems.append(ScheduleProblem(.warning, path: "api.token_file", message: "\(tokenFile) is not readable by this user; the daemon reads it as its own user (or gets it through LoadCredential=)"))
            }
        }
        if let refusal = journalFolderRefusal(journalPath: schedule.journalPath, environment: environment) {
            problems.append(ScheduleProblem(.warning, path: "journal_path", message: refusal))
        }
        return problems
    }

    /// Why `run` must not start with this journal path, or nil: its folder is missing and
    /// is not the systemd StateDirectory (`$STATE_DIRECTORY`, or the default
    /// /var/lib/mangrove-scheduler that `StateDirectory=mangrove-scheduler` creates).
    public static func journalFolderRefusal(journalPath: String, environment: [String: String]) -> String? {
        let folder = (journalPath as NSString).deletingLastPathComponent
        guard !folder.isEmpty else { return nil }
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: folder, isDirectory: &isDirectory) {
            return isDirectory.boolValue ? nil : "the journal's folder \(folder) is not a directory"
        }
        let stateDirectories = (environment["STATE_DIRECTORY"] ?? "").split(separator: ":").map(String.init)
            + [(Schedule.defaultJournalPath as NSString).deletingLastPathComponent]
        if stateDirectories.contains(where: { ($0 as NSString).standardizingPath == (folder as NSString).standardizingPath }) { return nil }
        return "the journal's folder \(folder) does not exist; the daemon will not create it (a typo would start a fresh, empty journal and generate every period again): create it, or fix journal_path"
    }
}
