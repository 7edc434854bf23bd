import ArgumentParser
import Foundation
import SchedulerCore
import SchedulerDaemon

struct RetryCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "retry",
        abstract: "Ask the daemon for one more generation of failed, ambiguous or skipped periods.",
        discussion: """
            One period (--period START, as in the journal) or a range (--from DATE --to DATE, dates in the \
            ledger's time zone, both inclusive; --only narrows the states, default failed,ambiguous,skipped). \
            A completed period is never generated again. Check the ledger first: a period recorded \
            `ambiguous` may already have batches. Each request is written beside the journal and the running \
            daemon is signalled (SIGHUP); without a running daemon it is picked up at the next start.
            """)

    @OptionGroup var options: ConfigOption
    @Option(help: "The ledger id (lgr_…).")
    var ledger: String
    @Option(help: "One period's start exactly as in the journal (period_start), e.g. 2025-03-01T00:00:00.000Z.")
    var period: String?
    @Option(help: "First day of a range, in the ledger's time zone (2025-01-01, or a date-time).")
    var from: String?
    @Option(help: "Last day of a range, inclusive, in the ledger's time zone.")
    var to: String?
    @Option(help: "With a range: which states to retry, comma-separated (failed, ambiguous, skipped).")
    var only: String = "failed,ambiguous,skipped"

    func validate() throws {
        switch (period, from, to) {
        case (.some, nil, nil), (nil, .some, .some): break
        case (.some, _, _): throw ValidationError("give either --period or --from and --to, not both")
        case (nil, nil, nil): throw ValidationError("give --period START, or a range with --from DATE --to DATE")
        default: throw ValidationError("a range needs both --from and --to")
        }
        if only.split(separator: ",").contains(where: { $0.trimmingCharacters(in: .whitespaces) == "completed" }) {
            throw ValidationError("--only completed: a completed period is never generated again (that would double-count its removals)")
        }
        if let bad = RetryRange.parseOnly(only).bad {
            throw ValidationError("--only: \"\(bad)\" is not failed, ambiguous or skipped")
        }
    }

    func run() throws {
        let schedule = try loadScheduleOrExit(options.config)
        let (state, _) = try readJournalOrExit(schedule.journalPath)
        let scheduled = schedule.ledgers.first { $0.id == ledger }
        if scheduled == nil, state.ledgers[ledger] == nil {
            printError(unknownLedgerMessage(ledger, schedule: schedule) + ", nor in the journal")
            throw ExitCode(1)
        }
        let keys: [PeriodKey]
        var notes: [String] = []
        if let period {
            keys = [try single(period, state: state)]
        } else {
            let zone = scheduled?.timeZone ?? TimeZone(identifier: "UTC")!
            guard let start = RetryRange.bound(from!, zone: zone, isEnd: false) else {
                printError("--from \(from!) is not a date (2025-01-01) or date-time in \(LocalTime.zoneName(zone))")
                throw ExitCode(1)
            }
            guard let end = RetryRange.bound(to!, zone: zone, isEnd: true), end > start else {
                printError("--to \(to!) is not a date or date-time after --from in \(LocalTime.zoneName(zone))")
                throw ExitCode(1)
            }
            let range = RetryRange.select(
                records: state.records(ledgerID: ledger), ledgerID: ledger, from: start, toExclusive: end,
                only: RetryRange.parseOnly(only).events ?? [])
            if range.completed > 0 {
                notes.append("\(Plural.count(range.completed, "completed period")) in the range not retried: a completed period is never generated again")
            }
            if !range.notSelected.isEmpty {
                let other = range.notSelected.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }.joined(separator: ", ")
                notes.append("not retried (other states): \(other)")
            }
            keys = range.selected
        }
        for note in notes { print(note) }
        guard !keys.isEmpty else {
            print("retry of \(ledger): no \(only.replacingOccurrences(of: ",", with: ", ")) period in the range; nothing requested")
            return
        }
        let now = Date()
        do {
            for key in keys {
                try RetryRequestFile.append(RetryRequest(ledgerID: ledger, periodStart: key.periodStart), journalPath: schedule.journalPath, now: now)
            }
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        let what = keys.count == 1 ? "\(ledger) \(keys[0].periodStart)" : "\(Plural.count(keys.count, "period")) of \(ledger)"
        print("retry of \(what) requested; " + DaemonSignal.sentence(DaemonSignal.reload(journalPath: schedule.journalPath), effect: "will record retry_requested"))
    }

    private func single(_ period: String, state: JournalState) throws -> PeriodKey {
        let key = PeriodKey(ledgerID: ledger, periodStart: period)
        guard let record = state.record(key) else {
            printError("the journal has no period \(period) for \(ledger); `mangrove-scheduler journal --ledger \(ledger)` lists them")
            throw ExitCode(1)
        }
        if record.lastEvent == .completed {
            printError("\(ledger) \(period) is completed; a completed period is never generated again (that would double-count its removals)")
            throw ExitCode(1)
        }
        guard RetryRange.retryable.contains(record.lastEvent) else {
            printError("\(ledger) \(period) is \(PeriodStateName.of(record)); only failed, ambiguous or skipped periods can be retried")
            throw ExitCode(1)
        }
        return key
    }
}
