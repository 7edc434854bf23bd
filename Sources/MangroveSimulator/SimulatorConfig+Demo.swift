import MangroveAPI

extension SimulatorConfig {
    /// What `mangrove-scheduler demo` runs against: three ledgers with models, one per
    /// common cadence, and tasks that finish within seconds so the demo shows the
    /// whole lifecycle quickly.
    public static let demo = SimulatorConfig(
        token: "sim-token",
        ledgers: [
            SimulatedLedger(
                id: "lgr_demo_monthly", name: "Net Carbon Removal (monthly)", unit: "t", cadence: "monthly",
                latestModel: ModelReference(id: "mdl_demo_monthly", name: "Carbon Calculation Model"),
                requiredInputs: SimulatorConfig.cookbookInputs
            ),
            SimulatedLedger(
                id: "lgr_demo_quarterly", name: "Biochar Removal (quarterly)", unit: "t", cadence: "quarterly",
                latestModel: ModelReference(id: "mdl_demo_quarterly", name: "Biochar Model"),
                requiredInputs: SimulatorConfig.cookbookInputs
            ),
            SimulatedLedger(
                id: "lgr_demo_daily", name: "Feedstock Intake (daily)", unit: "t", cadence: "daily",
                latestModel: ModelReference(id: "mdl_demo_daily", name: "Feedstock Model"),
                requiredInputs: [SimulatorConfig.cookbookInputs[0]]
            ),
        ],
        taskPendingSeconds: 1,
        taskDurationSeconds: 3,
        taskFailureRate: 0,
        batchesPerGeneration: 1,
        seed: 42
    )
}
