import Foundation
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing

/// Pause/resume across restarts (the controls file is re-read from disk), schedule and
/// journal folder pre-flight checks, and the rough edges of loading a schedule.
@Suite struct OperatorControlTests {
    @Test("a pause written by the command is what a restarted daemon reads; resume clears it")
    func pauseSurvivesRestart() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        let journal = folder.file("journal.jsonl")
        #expect(try LedgerControlFile.read(journalPath: journal).state == LedgerControlState())
        let t0 = Date(timeIntervalSince1970: 1_780_000_000)
        try LedgerControlFile.append(LedgerControlEntry(time: t0, ledgerID: "lgr_a", action: .paused, by: "alice", note: "refit"), journalPath: journal)
        // "Restart": a fresh read of the file.
        let after = try LedgerControlFile.read(journalPath: journal)
        #expect(after.problems.isEmpty)
        #expect(after.state.pause(of: "lgr_a") == LedgerPause(since: t0, by: "alice", note: "refit"))
        try LedgerControlFile.append(LedgerControlEntry(time: t0.addingTimeInterval(60), ledgerID: "lgr_a", action: .resumed, by: "bob"), journalPath: journal)
        #expect(!(try LedgerControlFile.read(journalPath: journal).state.isPaused("lgr_a")))
        let text = try String(contentsOfFile: LedgerControlFile.path(journalPath: journal), encoding: .utf8)
        #expect(text.split(separator: "\n").count == 2)  // the audit trail keeps both
        #expect(DaemonSignal.reload(journalPath: journal) == .notRunning)
    }

    @Test("check: a missing token_file is an error; a missing journal folder a warning; run refuses it unless StateDirectory")
    func preflight() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var schedule = Schedule(api: APISettings(baseURL: "http://127.0.0.1:1/api/v1", tokenFile: folder.file("nope")),
                                journalPath: folder.file("typo/journal.jsonl"), ledgers: [])
        let problems = SchedulePreflight.problems(schedule: schedule, environment: [:])
        #expect(problems.map(\.path) == ["api.token_file", "journal_path"])
        #expect(problems.map(\.severity) == [.error, .warning])
        #expect(SchedulePreflight.journalFolderRefusal(journalPath: schedule.journalPath, environment: [:])?.contains("does not exist") == true)
        #expect(SchedulePreflight.journalFolderRefusal(journalPath: schedule.journalPath, environment: ["STATE_DIRECTORY": folder.file("typo")]) == nil)
        #expect(SchedulePreflight.journalFolderRefusal(journalPath: Schedule.defaultJournalPath, environment: [:]) == nil)
        try "t".write(toFile: folder.file("token"), atomically: true, encoding: .utf8)
        schedule.api.tokenFile = folder.file("token")
        schedule.journalPath = folder.file("journal.jsonl")
        #expect(SchedulePreflight.problems(schedule: schedule, environment: [:]).isEmpty)
    }

    @Test("check --config on a directory says it is a directory, not 'check permissions'")
    func configIsDirectory() throws {
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        do {
            _ = try ScheduleFile.load(path: folder.path)
            Issue.record("loaded a directory")
        } catch {
            #expect(error.description.contains("is a directory"))
            #expect(!error.description.contains("permissions"))
        }
    }
}
