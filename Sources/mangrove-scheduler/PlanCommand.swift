import ArgumentParser
import Foundation
import SchedulerCore
import SchedulerDaemon

struct PlanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "plan",
        abstract: "Per ledger: closed periods not yet done, what is in flight, and the next fire time. Sends nothing.")

    @OptionGroup var options: ConfigOption
    @Option(help: "Plan as of this instant (RFC 3339, e.g. 2026-12-01T06:00:00Z) instead of now.")
    var at: String?
    @Flag(help: "Machine-readable JSON.")
    var json = false

    func validate() throws {
        if let at, UTCTimestamp.parse(at) == nil {
            throw ValidationError("--at \(at) is not an RFC 3339 instant such as 2026-12-01T06:00:00Z")
        }
    }

    func run() throws {
        let schedule = try loadScheduleOrExit(options.config)
        let (state, problems) = try readJournalOrExit(schedule.journalPath)
        for p in problems { printError("journal \(schedule.journalPath): \(p)") }
        let now = at.flatMap(UTCTimestamp.parse) ?? Date()
        let controls = try readControlsOrExit(schedule.journalPath)
        let report = PlanReport.make(schedule: schedule, state: state, controls: controls, now: now)
        print(json ? try encodeJSON(report) : report.text(), terminator: json ? "\n" : "")
    }
}

func loadScheduleOrExit(_ path: String) throws -> Schedule {
    do {
        return try ScheduleFile.load(path: path).schedule
    } catch {
        for p in error.problems { printError(p.formatted(file: error.file)) }
        throw ExitCode(78)
    }
}

func readJournalOrExit(_ path: String, keepsEveryRecord: Bool = false, onlyLedger: String? = nil) throws -> (JournalState, [JournalProblem]) {
    do {
        return try JournalFile.read(path: path, keepsEveryRecord: keepsEveryRecord, onlyLedger: onlyLedger)
    } catch {
        printError(error.description)
        throw ExitCode(1)
    }
}

func encodeJSON(_ value: some Encodable) throws -> String {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    return String(decoding: try encoder.encode(value), as: UTF8.self)
}
