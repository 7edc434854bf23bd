import Foundation
import SchedulerCore

/// Reads a schedule file from disk and resolves a relative `journal_path` against the
/// schedule's folder (so `config/` examples work from any working directory).
public enum ScheduleFile {
    /// `now` (the wall clock) only feeds the warning about a `first_period_start` far back.
    public static func load(path: String, now: Date = Date()) throws(ScheduleError) -> (schedule: Schedule, warnings: [ScheduleProblem]) {
        var isDirectory: ObjCBool = false
        if FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory), isDirectory.boolValue {
            throw ScheduleError(file: path, problems: [ScheduleProblem(.error, path: "", message: "is a directory; expected the schedule JSON file (e.g. \(path.hasSuffix("/") ? path : path + "/")schedule.json)")])
        }
        guard let data = FileManager.default.contents(atPath: path) else {
            let reason = FileManager.default.fileExists(atPath: path) ? "cannot be read (check permissions)" : "does not exist"
            throw ScheduleError(file: path, problems: [ScheduleProblem(.error, path: "", message: "the schedule file \(reason)")])
        }
        if let bad = UTF8Position.firstInvalid(in: data) {
            throw ScheduleError(file: path, problems: [ScheduleProblem(
                .error, path: "", message: "the schedule file is not UTF-8 text: the first invalid byte is at \(bad)",
                line: bad.line, column: bad.column)])
        }
        let text = String(decoding: data, as: UTF8.self)
        var (schedule, warnings) = try ScheduleDecoder.decode(text, file: path, now: now)
        schedule.journalPath = resolve(schedule.journalPath, relativeTo: path)
        if let tokenFile = schedule.api.tokenFile {
            schedule.api.tokenFile = resolve(tokenFile, relativeTo: path)
        }
        if let textfile = schedule.metrics.textfile {
            schedule.metrics.textfile = resolve(textfile, relativeTo: path)
        }
        return (schedule, warnings)
    }

    static func resolve(_ file: String, relativeTo schedulePath: String) -> String {
        if file.hasPrefix("/") { return file }
        let directory = (schedulePath as NSString).deletingLastPathComponent
        return directory.isEmpty ? file : (directory as NSString).appendingPathComponent(file)
    }
}
