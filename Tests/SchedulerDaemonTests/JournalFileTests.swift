import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerTestSupport
import Testing
#if canImport(Glibc)
import Glibc
#endif

/// The journal on disk: a torn last line or a corrupt line never stops the daemon, and
/// only one daemon may own a journal.
@Suite("Journal file")
struct JournalFileTests {
    static let ledger = "lgr_journal1"

    /// Writes a schedule for `ledger` (monthly from 2026-08-01: Aug, Sep, Oct are due) and
    /// returns its due periods.
    static func setUp(_ h: DaemonHarness) throws -> [Period] {
        try h.writeSchedule(ledgers: [Fixture.ledgerJSON(ledger, cadence: "monthly", first: "2026-08-01")])
        let due = try Fixture.due(h.schedulePath, ledger: ledger, at: Fixture.now)
        #expect(due.count == 3)
        return due
    }

    static func line(_ period: Period, _ event: JournalEvent, task: Int? = nil, error: String? = nil) -> String {
        JournalCodec.encode(JournalEntry(
            time: Fixture.now.addingTimeInterval(-3600), ledgerID: ledger, periodStart: period.startTime, periodEnd: period.endTime,
            event: event, taskID: task, attempt: 1, error: error, batchIDs: event == .completed ? ["bat_000000000001"] : nil))
    }

    static func contents(_ path: String) throws -> String { try String(contentsOfFile: path, encoding: .utf8) }

    @Test("replay reports a torn last line and cuts the file back to the last newline")
    func tornTailReplay() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            let due = try Self.setUp(h)
            let complete = Self.line(due[0], .completed) + "\n"
            let torn = String(Self.line(due[1], .intent).prefix(40))
            try (complete + torn).write(toFile: h.journalPath, atomically: true, encoding: .utf8)
            let journal = try JournalFile(path: h.journalPath)
            var state = JournalState()
            let problems = try journal.replay(into: &state)
            #expect(problems.count == 1)
            #expect(problems.first?.isTornTail == true)
            #expect(problems.first?.line == 2)
            #expect(state.record(PeriodKey(ledgerID: Self.ledger, periodStart: due[0].startTime))?.lastEvent == .completed)
            #expect(state.record(PeriodKey(ledgerID: Self.ledger, periodStart: due[1].startTime)) == nil)
            #expect(try Self.contents(h.journalPath) == complete)
            // The next append starts on a line of its own.
            try journal.append(JournalEntry(time: Fixture.now, ledgerID: Self.ledger, periodStart: due[1].startTime, periodEnd: due[1].endTime, event: .notFired, error: "test"))
            journal.close()
            let lines = try Fixture.journalLines(h.journalPath)
            #expect(lines.count == 2)
            #expect(lines.last?["event"] as? String == "not_fired")
        }
    }

    @Test("a complete last line without its newline is kept and the newline added")
    func lastLineWithoutNewline() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            let due = try Self.setUp(h)
            let text = Self.line(due[0], .completed) + "\n" + Self.line(due[1], .completed)
            try text.write(toFile: h.journalPath, atomically: true, encoding: .utf8)
            let journal = try JournalFile(path: h.journalPath)
            var state = JournalState()
            _ = try journal.replay(into: &state)
            journal.close()
            #expect(state.record(PeriodKey(ledgerID: Self.ledger, periodStart: due[1].startTime))?.lastEvent == .completed)
            #expect(try Self.contents(h.journalPath) == text + "\n")
        }
    }

    @Test("the daemon starts on a journal with a torn last line, repairs it and completes the periods")
    func tornTailDaemon() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            let due = try Self.setUp(h)
            let torn = String(Self.line(due[1], .intent).prefix(55))
            try (Self.line(due[0], .completed) + "\n" + torn).write(toFile: h.journalPath, atomically: true, encoding: .utf8)
            let notifier = RecordingNotifier()
            let running = try await h.launch(notifier: notifier)
            #expect(notifier.messages.contains { if case .ready = $0 { true } else { false } })
            let state = await running.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 3) }
            try await running.stop()
            #expect(state.records(ledgerID: Self.ledger).values.allSatisfy { $0.lastEvent == .completed })
            // Every line of the repaired journal is valid JSON with an event.
            let text = try Self.contents(h.journalPath)
            #expect(text.hasSuffix("\n"))
            #expect(!text.contains(torn + "{"))
            for line in text.split(separator: "\n") {
                #expect((try? JournalCodec.decode(String(line))) != nil, "invalid journal line: \(line)")
            }
            // The completed period was not fired again; the torn one was (its intent never hit the disk).
            let starts = Fixture.posts(await h.sim.requests(), ledger: Self.ledger).map(\.0)
            #expect(starts == [due[1].startTime, due[2].startTime])
        }
    }

    @Test("garbage in the middle of the journal is reported with its line number; the other lines count")
    func garbageLine() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            let due = try Self.setUp(h)
            let text = [
                Self.line(due[0], .completed), "this is {not json", Self.line(due[1], .completed),
                Self.line(due[2], .notFired, error: "HTTP 503: service unavailable"),
            ].joined(separator: "\n") + "\n"
            try text.write(toFile: h.journalPath, atomically: true, encoding: .utf8)
            let (_, readProblems) = try JournalFile.read(path: h.journalPath)
            #expect(readProblems.map(\.line) == [2])
            #expect(readProblems.first?.isTornTail == false)
            #expect(readProblems.first?.description.contains("line 2") == true)
            let running = try await h.launch()
            let state = await running.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 3) }
            try await running.stop()
            #expect(state.records(ledgerID: Self.ledger).values.allSatisfy { $0.lastEvent == .completed })
            // Lines 1 and 3 count: only the third period (not_fired) is POSTed.
            let starts = Fixture.posts(await h.sim.requests(), ledger: Self.ledger).map(\.0)
            #expect(starts == [due[2].startTime])
            // The corrupt line is left for an operator to inspect, not rewritten.
            #expect(try Self.contents(h.journalPath).hasPrefix(text))
        }
    }

    @Test("a second daemon on the same journal fails with an error naming the holder's PID; after the first stops, one can start")
    func lock() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger(Self.ledger)]), start: Fixture.now) { h in
            _ = try Self.setUp(h)
            let first = try await h.launch()
            await first.drive { Fixture.allTerminal($0, ledger: Self.ledger, count: 3) }
            do {
                let second = try await h.launch()
                Issue.record("a second daemon started on a locked journal")
                await second.crash()
            } catch let error as DaemonError {
                guard case .journal(.locked(let path, let pid)) = error else {
                    Issue.record("expected DaemonError.journal(.locked), got \(error)")
                    return
                }
                #expect(URL(fileURLWithPath: path).standardizedFileURL == URL(fileURLWithPath: h.journalPath).standardizedFileURL)
                #expect(pid == getpid())
                #expect(error.description.contains("\(getpid())"))
                #expect(error.exitCode == 1)
            }
            #expect(JournalFile.lockHolder(journalPath: h.journalPath) == getpid())
            try await first.stop()
            #expect(JournalFile.lockHolder(journalPath: h.journalPath) == nil)
            let third = try await h.launch()
            try await third.stop()
        }
    }
}
