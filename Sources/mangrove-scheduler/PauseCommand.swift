import ArgumentParser
import Foundation
import SchedulerCore
import SchedulerDaemon

struct PauseCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "pause",
        abstract: "Stop firing new generations for a ledger; tasks in flight are still polled to their end.",
        discussion: """
            The pause is recorded (who, when, the note) in the ledger controls file beside the journal \
            (<journal_path>.controls), so it survives restarts, and the running daemon is signalled (SIGHUP). \
            plan, journal, the unit's status line and the metrics show the ledger as paused until \
            `mangrove-scheduler resume --ledger ID`. Its periods still become overdue.
            """)

    @OptionGroup var options: ConfigOption
    @Option(help: "The ledger id (lgr_…), as in the schedule.")
    var ledger: String
    @Option(help: "Why, for the other operators (shown by plan, journal and the logs).")
    var note: String

    func validate() throws {
        if note.trimmingCharacters(in: .whitespaces).isEmpty {
            throw ValidationError("--note must say why the ledger is paused")
        }
    }

    func run() throws {
        let schedule = try loadScheduleOrExit(options.config)
        guard let scheduled = schedule.ledgers.first(where: { $0.id == ledger }) else {
            printError(unknownLedgerMessage(ledger, schedule: schedule))
            throw ExitCode(1)
        }
        let controls = try readControlsOrExit(schedule.journalPath)
        let (state, _) = try readJournalOrExit(schedule.journalPath)
        let now = Date()
        let by = LedgerControlCodec.operatorName(environment: ProcessInfo.processInfo.environment, uid: getuid())
        do {
            try LedgerControlFile.append(
                LedgerControlEntry(time: now, ledgerID: ledger, action: .paused, by: by, note: note), journalPath: schedule.journalPath)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        let status = LedgerStatus.of(
            ledger: scheduled, records: state.records(ledgerID: ledger), pause: nil, now: now, overdueAfter: schedule.alerts.overdueAfter)
        let signal = DaemonSignal.sentence(DaemonSignal.reload(journalPath: schedule.journalPath), effect: "stops firing it")
        if let previous = controls.pause(of: ledger) {
            print("\(ledger) was already paused since \(LocalTime.instant(previous.since, in: scheduled.timeZone)) by \(previous.by); note replaced; \(signal)")
        } else {
            print("paused \(ledger) (by \(by)): \(Plural.count(status.dueNotDone, "due period")) will not fire, \(Plural.count(status.inFlight, "period")) in flight still polled to the end; \(signal)")
        }
    }
}

struct ResumeCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "resume",
        abstract: "Let a paused ledger fire again (its due periods, oldest first).")

    @OptionGroup var options: ConfigOption
    @Option(help: "The ledger id (lgr_…).")
    var ledger: String

    func run() throws {
        let schedule = try loadScheduleOrExit(options.config)
        let controls = try readControlsOrExit(schedule.journalPath)
        let scheduled = schedule.ledgers.first(where: { $0.id == ledger })
        guard let pause = controls.pause(of: ledger) else {
            if scheduled == nil {
                printError(unknownLedgerMessage(ledger, schedule: schedule))
                throw ExitCode(1)
            }
            print("\(ledger) is not paused; nothing to do")
            return
        }
        let now = Date()
        let by = LedgerControlCodec.operatorName(environment: ProcessInfo.processInfo.environment, uid: getuid())
        do {
            try LedgerControlFile.append(LedgerControlEntry(time: now, ledgerID: ledger, action: .resumed, by: by), journalPath: schedule.journalPath)
        } catch {
            printError(error.description)
            throw ExitCode(1)
        }
        let zone = scheduled?.timeZone ?? TimeZone(identifier: "UTC")!
        var line = "resumed \(ledger) (paused since \(LocalTime.instant(pause.since, in: zone)) by \(pause.by): \(pause.note))"
        if let scheduled {
            let (state, _) = try readJournalOrExit(schedule.journalPath)
            let status = LedgerStatus.of(ledger: scheduled, records: state.records(ledgerID: ledger), pause: nil, now: now, overdueAfter: schedule.alerts.overdueAfter)
            line += ": \(Plural.count(status.dueNotDone, "due period")) fire again, oldest first"
        } else {
            line += "; it is no longer in the schedule"
        }
        print(line + "; " + DaemonSignal.sentence(DaemonSignal.reload(journalPath: schedule.journalPath), effect: "fires it again"))
    }
}

func readControlsOrExit(_ journalPath: String) throws -> LedgerControlState {
    do {
        let (state, problems) = try LedgerControlFile.read(journalPath: journalPath)
        for p in problems { printError("\(LedgerControlFile.path(journalPath: journalPath)): \(p)") }
        return state
    } catch {
        printError(error.description)
        throw ExitCode(1)
    }
}

/// `unknown ledger "lgr_x": not in the schedule (which has lgr_a, lgr_b)`.
func unknownLedgerMessage(_ id: String, schedule: Schedule) -> String {
    let known = schedule.ledgers.map(\.id)
    let list = known.isEmpty ? "which has no ledgers" : "which has \(known.joined(separator: ", "))"
    return "unknown ledger \"\(id)\": not in the schedule (\(list))"
}
