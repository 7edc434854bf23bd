import Foundation
import MangroveAPI
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon

/// Shared fixtures for the daemon's integration tests.
enum Fixture {
    /// Virtual "now" for most tests: 2026-11-23T12:00:00Z.
    static let now = UTCTimestamp.parse("2026-11-23T12:00:00Z")!

    static func ledger(_ id: String, name: String = "Net Carbon Removal", model: Bool = true) -> SimulatedLedger {
        SimulatedLedger(id: id, name: name, unit: "t", cadence: "monthly",
                        latestModel: model ? ModelReference(id: "mdl_\(id)", name: "Model") : nil)
    }

    static func config(_ ledgers: [SimulatedLedger], pending: Double = 1, duration: Double = 3, failureRate: Double = 0, faults: [FaultRule] = []) -> SimulatorConfig {
        SimulatorConfig(ledgers: ledgers, taskPendingSeconds: pending, taskDurationSeconds: duration, taskFailureRate: failureRate, seed: 7, faults: faults)
    }

    static func ledgerJSON(_ id: String, cadence: String, zone: String = "UTC", first: String, settle: String = "PT0S", preview: Bool = false) -> String {
        """
        { "id": "\(id)", "cadence": "\(cadence)", "time_zone": "\(zone)", "first_period_start": "\(first)", "settle_delay": "\(settle)", "preview": \(preview) }
        """
    }

    /// The periods due at `now` for a ledger of the schedule.
    static func due(_ schedulePath: String, ledger id: String, at now: Date) throws -> [Period] {
        let schedule = try ScheduleFile.load(path: schedulePath).schedule
        let ledger = schedule.ledgers.first { $0.id == id }!
        return LedgerPlanner(ledger: ledger, records: [:]).duePeriods(records: [:], now: now)
    }

    /// POST bodies the simulator received for a ledger, as (start_time, end_time).
    static func posts(_ requests: [RecordedRequest], ledger id: String) -> [(String, String)] {
        requests.filter { $0.method == "POST" && $0.path.hasSuffix("/ledgers/\(id)/batch_generations") }
            .compactMap { r in r.generationRequest.map { ($0.startTime, $0.endTime) } }
    }

    static func allTerminal(_ state: JournalState, ledger: String, count: Int) -> Bool {
        let records = state.records(ledgerID: ledger)
        return records.count >= count && records.values.allSatisfy(\.isTerminal)
    }

    static func journalLines(_ path: String) throws -> [[String: Any]] {
        try String(contentsOfFile: path, encoding: .utf8).split(separator: "\n").map {
            try JSONSerialization.jsonObject(with: Data($0.utf8)) as! [String: Any]
        }
    }
}

// MARK: - Helpers for the fault, failure, polling, journal, reload, retry, preview and notify tests

extension Fixture {
    /// The `event` of every journal line of one period, in file order.
    static func events(_ journalPath: String, ledger: String, start: String) throws -> [String] {
        try journalLines(journalPath).filter { $0["ledger_id"] as? String == ledger && $0["period_start"] as? String == start }
            .compactMap { $0["event"] as? String }
    }

    /// Requests of one endpoint (optionally of one ledger), oldest first.
    static func requests(_ requests: [RecordedRequest], _ endpoint: SimulatorEndpoint, ledger: String? = nil) -> [RecordedRequest] {
        requests.filter { r in
            r.endpoint == endpoint && (ledger.map { r.path.contains("/ledgers/\($0)/") } ?? true)
        }
    }

    /// How many POSTs the simulator actually carried out (a task was created), per `start_time`.
    static func processedPosts(_ requests: [RecordedRequest], ledger: String) -> [String: Int] {
        var counts: [String: Int] = [:]
        for r in Self.requests(requests, .batchGenerations, ledger: ledger) where r.processed || r.createdTaskID != nil {
            if let start = r.generationRequest?.startTime { counts[start, default: 0] += 1 }
        }
        return counts
    }

    /// The GETs of one async task, oldest first.
    static func polls(_ requests: [RecordedRequest], task: Int) -> [RecordedRequest] {
        requests.filter { $0.endpoint == .asyncTask && $0.path.hasSuffix("/async_tasks/\(task)") }
    }

    /// A simulated ledger with a given `preview_count`.
    static func ledger(_ id: String, previewCount: Int) -> SimulatedLedger {
        var l = ledger(id)
        l.previewCount = previewCount
        return l
    }

    /// Seconds between two instants.
    static func seconds(_ from: Date, _ to: Date) -> Double { to.timeIntervalSince(from) }
}
