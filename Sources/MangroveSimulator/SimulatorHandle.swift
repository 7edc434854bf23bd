import Foundation
import MangroveAPI

/// In-process access to a running simulator, for tests and the demo: where it
/// listens, what it received, and the knobs (faults, clock) a scenario turns.
public final class SimulatorHandle: Sendable {
    /// The bound TCP port (the real one when started on port 0).
    public let port: Int
    /// The host it listens on.
    public let host: String
    let state: SimulatorState

    init(host: String, port: Int, state: SimulatorState) {
        self.host = host
        self.port = port
        self.state = state
    }

    /// `http://127.0.0.1:PORT/api/v1`: the base URL a client is configured with.
    public var baseURL: String { "\(rootURL)/api/v1" }

    /// `http://127.0.0.1:PORT`, where the `/_sim/...` admin endpoints live.
    public var rootURL: String {
        let shownHost = host.contains(":") ? "[\(host)]" : host
        return "http://\(shownHost):\(port)"
    }

    /// The configuration it runs with.
    public var config: SimulatorConfig { state.config }

    /// Every API request received since the last `clearRequests()`, oldest first.
    public func requests() async -> [RecordedRequest] { await state.log }

    public func clearRequests() async { await state.clearLog() }

    /// Replaces the fault rules in force.
    public func setFaults(_ rules: [FaultRule]) async { await state.setFaults(rules) }

    /// The fault rules in force, with their remaining counts.
    public func faults() async -> [FaultRule] { await state.faults }

    /// Every task as `GET /async_tasks/{id}` would show it now, by id.
    public func tasks() async -> [AsyncTask] { await state.taskSnapshots() }

    /// The batches of a ledger in creation order, in the full retrieve-batch shape.
    public func batches(ledgerID: String) async -> [Batch] { await state.batches(ledgerID: ledgerID) }

    /// Creates a batch as if generated in the Mangrove app (no task, nothing in the request log).
    @discardableResult
    public func createAppBatch(ledgerID: String, startTime: String, endTime: String) async -> Batch? {
        await state.createAppBatch(ledgerID: ledgerID, startTime: startTime, endTime: endTime)
    }

    /// Moves the simulator's clock forward on top of the injected `now`.
    @discardableResult
    public func advanceClock(bySeconds seconds: Double) async -> Date {
        await state.advanceClock(bySeconds: seconds)
    }
}
