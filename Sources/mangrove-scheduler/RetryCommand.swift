import ArgumentParser
import Foundation
import SchedulerCore
import SchedulerDaemon
#if canImport(Glibc)
import Glibc
#endif

struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Ask the daemon for one more generation of a failed, ambiguous or skipped period.",
        discussion: """
            Check the ledger first: a period recorded `ambiguous` may already have batches. The request is \
            written beside the journal and the running daemon is signalled (SIGHUP); without a running \
            daemon it is picked up at the next start.
            """)

    @OptionGroup var options: ConfigOption
    @Option(help: "The ledger id (lgr_…).")
    var ledger: String
    @Option(help: "The period's start exactly as in the journal (period_start), e.g. 2025-03-01T00:00:00.000Z.")
    var period: String

    func run() throws {
        let schedule = try loadScheduleOrExit(options.config)
        let (state, _) = try readJournalOrExit(schedule.journalPath)
        let key = PeriodKey(ledgerID: ledger, periodStart: period)
        guard let record = state.record(key) else {
            printError("the journal has no period \(period) for \(ledger); `mangrove-scheduler journal --ledger \(ledger)` lists them")
            throw ExitCode(1)
        }
        guard [.failed, .ambiguous, .skipped].contains(record.lastEvent) else {
            printError("\(ledger) \(period) is \(record.lastEvent.rawValue); only failed, ambiguous or skipped periods can be retried")
            throw ExitCode(1)
        }
        do {
            try RetryRequestFile.append(RetryRequest(ledgerID: ledger, periodStart: period), journalPath: schedule.journalPath, now: Date())
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        let lock = JournalFile.lockState(journalPath: schedule.journalPath)
        if lock.locked, lock.pid == nil {
            print("retry of \(ledger) \(period) requested; a daemon holds the journal but its pid is unknown: run `systemctl reload mangrove-scheduler`")
        } else if let pid = lock.pid {
            if kill(pid, SIGHUP) == 0 {
                print("retry of \(ledger) \(period) requested; the daemon (pid \(pid)) was signalled and will record retry_requested")
            } else {
                print("retry of \(ledger) \(period) requested; signalling the daemon (pid \(pid)) failed (\(String(cString: strerror(errno)))): run `systemctl reload mangrove-scheduler`")
            }
        } else {
            print("retry of \(ledger) \(period) requested; no daemon is running, it is picked up at the next start")
        }
    }
}
