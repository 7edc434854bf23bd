extension SimulatorConfig: CustomStringConvertible {
    /// A summary without the token, safe for logs.
    public var description: String {
        "SimulatorConfig(ledgers: \(ledgers.map(\.id)), task_pending_seconds: \(taskPendingSeconds), "
            + "task_duration_seconds: \(taskDurationSeconds), task_failure_rate: \(taskFailureRate), "
            + "batches_per_generation: \(batchesPerGeneration), seed: \(seed), faults: \(faults.count), token: <redacted>)"
    }
}

extension MangroveSimulatorServer: CustomStringConvertible {
    /// What `ServiceGroup` logs for this service; never includes the token.
    public var description: String { "MangroveSimulatorServer(\(host):\(port))" }
}
