import ArgumentParser
import SchedulerCore
import SchedulerDaemon

struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "Outcomes per ledger and period from the journal, with task ids, errors and durations.")

    @OptionGroup var options: ConfigOption
    @Option(help: "Only this ledger.")
    var ledger: String?
    @Flag(help: "Machine-readable JSON.")
    var json = false

    func run() throws {
        let schedule = try loadScheduleOrExit(options.config)
        let (state, problems) = try readJournalOrExit(schedule.journalPath)
        for p in problems { printError("journal \(schedule.journalPath): \(p)") }
        let report = JournalReport.make(state: state, ledgerID: ledger)
        print(json ? try encodeJSON(report) : report.text(), terminator: json ? "\n" : "")
    }
}
