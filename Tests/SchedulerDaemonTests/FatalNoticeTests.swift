import Foundation
import MangroveSimulator
import SchedulerCore
import SchedulerTestSupport
import Testing

@testable import SchedulerDaemon

extension Scheduler {
    /// Test hook: closes the journal under the running scheduler, so its next append fails.
    func breakJournalForTest() { journal.close() }
}

/// A daemon that exits on an error tells systemd why first: STATUS= with the reason, then
/// STOPPING=1, so `systemctl status` shows it.
@Suite("Fatal errors reach systemd")
struct FatalNoticeTests {
    @Test("a journal that cannot be appended to: STATUS=fatal … then STOPPING=1, and the service ends with the error")
    func journalWriteFails() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_fatal1")]), start: Fixture.now) { h in
            // Not due yet at start: the first append happens only after the journal is broken.
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_fatal1", cadence: "daily", first: "2026-11-24")])
            let notifier = RecordingNotifier()
            let log = RecordingLog()
            let (scheduler, httpClient) = try h.daemon(notifier: notifier, log: log).prepare()
            let run = Task { try await SchedulerService(scheduler: scheduler).run() }
            await scheduler.waitUntilRunning()
            await scheduler.breakJournalForTest()
            h.clock.advance(to: UTCTimestamp.parse("2026-11-25T00:00:01Z")!)
            await scheduler.poke()
            let outcome = await run.result
            try await httpClient?.shutdown()
            guard case .failure(let error) = outcome else {
                Issue.record("the scheduler kept running with a broken journal")
                return
            }
            #expect(error as? JournalError != nil, "\(error)")
            let messages = notifier.messages
            #expect(messages.last == .stopping, "\(messages)")
            guard messages.count >= 2, case .status(let text) = messages[messages.count - 2] else {
                Issue.record("no STATUS= before STOPPING=1: \(messages)")
                return
            }
            #expect(text.hasPrefix("fatal: cannot append to journal "), "\(text)")
            #expect(text.hasSuffix("; exiting"))
            #expect(!text.contains("\n"))
            #expect(log.lines.contains { $0.hasPrefix("critical cannot append to journal") }, "\(log.lines)")
        }
    }

    @Test("a journal locked by another daemon: Daemon.run sends STATUS=fatal … naming the holder, then STOPPING=1")
    func journalLocked() async throws {
        try await DaemonHarness.with(config: Fixture.config([Fixture.ledger("lgr_fatal2")]), start: Fixture.now) { h in
            try h.writeSchedule(ledgers: [Fixture.ledgerJSON("lgr_fatal2", cadence: "monthly", first: "2026-10-01")])
            let holder = try JournalFile(path: h.journalPath)
            defer { holder.close() }
            let notifier = RecordingNotifier()
            await #expect(throws: DaemonError.self) { try await h.daemon(notifier: notifier).run() }
            let messages = notifier.messages
            #expect(messages.count == 2, "\(messages)")
            if case .status(let text)? = messages.first {
                #expect(text.contains("is locked by process \(getpid())"), "\(text)")
            } else {
                Issue.record("no STATUS=: \(messages)")
            }
            #expect(messages.last == .stopping)
            #expect(await h.sim.requests().isEmpty)
        }
    }
}
