import Logging
import Testing
@testable import Systemd

struct JournalEntryTests {
    func entry(level: Logger.Level = .info, metadata: Logger.Metadata) -> JournalEntry {
        JournalEntry(
            level: level, message: "period completed", metadata: metadata,
            identifier: "mangrove-scheduler", label: "scheduler",
            file: "SchedulerDaemon/Scheduler.swift", function: "run()", line: 42
        )
    }

    @Test func standardFieldsComeFirst() {
        let fields = entry(level: .warning, metadata: [:]).fields
        #expect(fields.map(\.name) == [
            "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "CODE_FILE", "CODE_LINE", "CODE_FUNC", "SWIFT_LOGGER",
        ])
        #expect(fields.map(\.value) == [
            "period completed", "4", "mangrove-scheduler", "SchedulerDaemon/Scheduler.swift", "42", "run()", "scheduler",
        ])
    }

    @Test func daemonMetadataBecomesFields() {
        let e = entry(metadata: [
            "ledger_id": "lgr_abc123def456",
            "period_start": "2025-03-01T00:00:00.000Z",
            "period_end": "2025-03-31T23:59:59.000Z",
            "task_id": "tsk_1",
            "mangrove_event": "completed",
            "error": "none",
        ])
        #expect(e["LEDGER_ID"] == "lgr_abc123def456")
        #expect(e["PERIOD_START"] == "2025-03-01T00:00:00.000Z")
        #expect(e["PERIOD_END"] == "2025-03-31T23:59:59.000Z")
        #expect(e["TASK_ID"] == "tsk_1")
        #expect(e["MANGROVE_EVENT"] == "completed")
        #expect(e["ERROR"] == "none")
        #expect(e["MESSAGE_ID"] == "85e0552ba94a48b2bd1a6a4fc4fe890f")
    }

    @Test func unknownEventHasNoMessageID() {
        #expect(entry(metadata: ["mangrove_event": "exploded"])["MESSAGE_ID"] == nil)
    }

    @Test func metadataCannotForgeReservedFields() {
        let e = entry(level: .debug, metadata: ["priority": "0", "message": "forged", "_PID": "1"])
        #expect(e["PRIORITY"] == "7")
        #expect(e["MESSAGE"] == "period completed")
        #expect(e["META_PRIORITY"] == "0")
        #expect(e["META_MESSAGE"] == "forged")
        #expect(e["PID"] == "1")
        #expect(e.fields.filter { $0.name == "PRIORITY" }.count == 1)
    }

    @Test func structuredValuesAreFlattened() {
        let e = entry(metadata: ["ids": ["a", "b"], "count": .stringConvertible(3)])
        #expect(e["IDS"] == #"["a", "b"]"#)
        #expect(e["COUNT"] == "3")
    }

    @Test func everyEventHasAWellFormedUniqueID() {
        let events = [
            "intent", "fired", "progress", "completed", "failed", "skipped", "ambiguous", "retry_scheduled",
            "reconciled", "ledger_unavailable", "reload", "reload_rejected", "started", "stopping",
            "reconciling", "not_fired", "task_failed", "preview_empty", "retry_requested", "retry_rejected",
            "start_failed", "stopped", "schedule_warning", "journal_repaired", "journal_corrupt_line",
            "found_on_api", "divergence", "held", "ledger_unverified", "batch_conflict", "journal_replaced", "task_unresponsive", "clock_step",
            "overdue", "paused", "resumed",
        ]
        let ids = events.compactMap(MangroveMessageID.forEvent)
        #expect(ids.count == events.count)
        #expect(Set(ids).count == ids.count)
        #expect(MangroveMessageID.all.count == events.count)
        for id in ids {
            #expect(id.count == 32 && id.allSatisfy { $0.isHexDigit && !$0.isUppercase }, "\(id)")
        }
    }

    @Test func mergingPrecedence() {
        struct Boom: Error {}
        let merged = LogMetadata.merged(
            handler: ["a": "handler", "b": "handler"],
            provider: Logger.MetadataProvider { ["b": "provider", "c": "provider"] },
            explicit: ["c": "explicit"],
            error: Boom()
        )
        #expect(merged["a"] == "handler")
        #expect(merged["b"] == "provider")
        #expect(merged["c"] == "explicit")
        #expect(merged["error.message"] == "Boom()")
    }
}
