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
