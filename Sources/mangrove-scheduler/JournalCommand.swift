import ArgumentParser
import SchedulerCore
import SchedulerDaemon

struct JournalCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "journal",
        abstract: "State per ledger and period from the journal, with task ids, attempts, errors and durations.")

    @OptionGroup var options: ConfigOption
    @Option(help: "Only this ledger (in the schedule or the journal).")
    var ledger: String?
    @Flag(help: "Machine-readable JSON (UTC strings as in the journal).")
    var json = false

    func run() throws {
        let schedule = try loadScheduleOrExit(options.config)
        // Every period's full record (completed ones' task ids and times too); with
        // `--ledger`, only that ledger's lines are decoded.
        let (state, problems) = try readJournalOrExit(schedule.journalPath, keepsEveryRecord: true, onlyLedger: ledger)
        for p in problems { printError("journal \(schedule.journalPath): \(p)") }
        if let ledger, !schedule.ledgers.contains(where: { $0.id == ledger }), state.ledgers[ledger] == nil {
            printError(unknownLedgerMessage(ledger, schedule: schedule) + ", nor in the journal \(schedule.journalPath)")
            throw ExitCode(1)
        }
        let controls = try readControlsOrExit(schedule.journalPath)
        let report = JournalReport.make(state: state, schedule: schedule, controls: controls, ledgerID: ledger)
        print(json ? try encodeJSON(report) : report.text(), terminator: json ? "\n" : "")
    }
}
