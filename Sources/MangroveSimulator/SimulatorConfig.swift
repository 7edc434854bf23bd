import Foundation
import MangroveAPI

/// Everything that shapes the simulator's behaviour, so one JSON file (or one value
/// in a test) reproduces a scenario exactly. Keys are snake_case; every key is
/// optional and falls back to the default documented on the property.
public struct SimulatorConfig: Sendable, Hashable, Codable {
    /// Bearer token the API endpoints require (`Authorization: Bearer TOKEN`). Default `sim-token`.
    public var token: String
    /// The ledgers served. Default: the cookbook's `lgr_abc123def456` with a model.
    public var ledgers: [SimulatedLedger]
    /// Seconds a new task stays `pending`. Default 1.
    public var taskPendingSeconds: Double
    /// Seconds a task is `running` before it ends. Default 5.
    public var taskDurationSeconds: Double
    /// Chance (0...1) that a task ends `failed` instead of `complete`. Default 0.
    public var taskFailureRate: Double
    /// `error_message` of a failed task.
    public var taskFailureMessage: String
    /// Batches created by one completed generation, each spanning the request's
    /// `start_time`/`end_time`. Default 1.
    public var batchesPerGeneration: Int
    /// Seed of every random choice (failures, probabilistic faults). Default 0.
    public var seed: UInt64
    /// Fault rules in force at start; replaceable at runtime.
    public var faults: [FaultRule]
    /// `args.project_id` of tasks.
    public var projectID: Int
    /// State of a task before it runs: `pending` (the cookbook) by default; the
    /// create-batch-generation seed shows `processing`, and any other string
    /// simulates a state the client does not know.
    public var taskInitialState: String
    /// A failed task's `error_message` ends with `Authentication context: <the request's
    /// Authorization header>`, as an upstream that echoes its auth context does. Default false.
    public var echoAuthInTaskError: Bool
    /// A running task's `progress_description` ends with the Authorization header. Default false.
    public var echoAuthInProgress: Bool
    /// Every error body's `errors[].message`, the `undecodable` page and the `redirect`
    /// fault's `Location` carry the Authorization header (the `Location` as
    /// `access_token=TOKEN`). Default false.
    public var echoAuthInErrors: Bool
    /// How a running task's `progress` moves: `steady` (linear, the default) or
    /// `stuck_then_jump` (rises to 10 %, stays there until 80 % of the run, then jumps to
    /// 80 % and moves on steadily).
    public var taskProgress: TaskProgressProfile

    public init(
        token: String = "sim-token",
        ledgers: [SimulatedLedger] = SimulatorConfig.defaultLedgers,
        taskPendingSeconds: Double = 1,
        taskDurationSeconds: Double = 5,
        taskFailureRate: Double = 0,
        taskFailureMessage: String = "Model run failed: simulated failure",
        batchesPerGeneration: Int = 1,
        seed: UInt64 = 0,
        faults: [FaultRule] = [],
        projectID: Int = 123,
        taskInitialState: String = "pending",
        echoAuthInTaskError: Bool = false,
        echoAuthInProgress: Bool = false,
        echoAuthInErrors: Bool = false,
        taskProgress: TaskProgressProfile = .steady
    ) {
        self.taskProgress = taskProgress
        self.echoAuthInTaskError = echoAuthInTaskError
        self.echoAuthInProgress = echoAuthInProgress
        self.echoAuthInErrors = echoAuthInErrors
        self.token = token
        self.ledgers = ledgers
        self.taskPendingSeconds = taskPendingSeconds
        self.taskDurationSeconds = taskDurationSeconds
        self.taskFailureRate = taskFailureRate
        self.taskFailureMessage = taskFailureMessage
        self.batchesPerGeneration = batchesPerGeneration
        self.seed = seed
        self.faults = faults
        self.projectID = projectID
        self.taskInitialState = taskInitialState
    }

    enum CodingKeys: String, CodingKey {
        case token, ledgers, seed, faults
        case taskPendingSeconds = "task_pending_seconds"
        case taskDurationSeconds = "task_duration_seconds"
        case taskFailureRate = "task_failure_rate"
        case taskFailureMessage = "task_failure_message"
        case batchesPerGeneration = "batches_per_generation"
        case projectID = "project_id"
        case taskInitialState = "task_initial_state"
        case echoAuthInTaskError = "echo_auth_in_task_error"
        case echoAuthInProgress = "echo_auth_in_progress"
        case echoAuthInErrors = "echo_auth_in_errors"
        case taskProgress = "task_progress"
    }

    public init(from decoder: any Decoder) throws {
        let defaults = SimulatorConfig()
        let c = try decoder.container(keyedBy: CodingKeys.self)
        token = try c.decodeIfPresent(String.self, forKey: .token) ?? defaults.token
        ledgers = try c.decodeIfPresent([SimulatedLedger].self, forKey: .ledgers) ?? defaults.ledgers
        taskPendingSeconds = try c.decodeIfPresent(Double.self, forKey: .taskPendingSeconds) ?? defaults.taskPendingSeconds
        taskDurationSeconds = try c.decodeIfPresent(Double.self, forKey: .taskDurationSeconds) ?? defaults.taskDurationSeconds
        taskFailureRate = try c.decodeIfPresent(Double.self, forKey: .taskFailureRate) ?? defaults.taskFailureRate
        taskFailureMessage = try c.decodeIfPresent(String.self, forKey: .taskFailureMessage) ?? defaults.taskFailureMessage
        batchesPerGeneration = try c.decodeIfPresent(Int.self, forKey: .batchesPerGeneration) ?? defaults.batchesPerGeneration
        seed = try c.decodeIfPresent(UInt64.self, forKey: .seed) ?? defaults.seed
        faults = try c.decodeIfPresent([FaultRule].self, forKey: .faults) ?? defaults.faults
        projectID = try c.decodeIfPresent(Int.self, forKey: .projectID) ?? defaults.projectID
        taskInitialState = try c.decodeIfPresent(String.self, forKey: .taskInitialState) ?? defaults.taskInitialState
        echoAuthInTaskError = try c.decodeIfPresent(Bool.self, forKey: .echoAuthInTaskError) ?? defaults.echoAuthInTaskError
        echoAuthInProgress = try c.decodeIfPresent(Bool.self, forKey: .echoAuthInProgress) ?? defaults.echoAuthInProgress
        echoAuthInErrors = try c.decodeIfPresent(Bool.self, forKey: .echoAuthInErrors) ?? defaults.echoAuthInErrors
        taskProgress = try c.decodeIfPresent(TaskProgressProfile.self, forKey: .taskProgress) ?? defaults.taskProgress
    }

    /// The cookbook's ledger, with its model and two required inputs.
    public static let defaultLedgers: [SimulatedLedger] = [
        SimulatedLedger(
            id: "lgr_abc123def456", name: "Net Carbon Removal", unit: "t", cadence: "monthly",
            latestModel: ModelReference(id: "mdl_xyz789", name: "Carbon Calculation Model"),
            requiredInputs: SimulatorConfig.cookbookInputs
        )
    ]

    /// The cookbook's required inputs.
    public static let cookbookInputs: [RequiredInput] = [
        RequiredInput(
            id: 1, name: "Mass of Feedstock Delivery", slug: "feedstock-delivery-mass", unit: "U.S. ton",
            valueType: "number", category: "input", subcategory: "feedstock", isManualSelect: false
        ),
        RequiredInput(
            id: 2, name: "Transport Distance", slug: "transport-distance", unit: "mile",
            valueType: "number", category: "input", subcategory: "transport", isManualSelect: false
        ),
    ]

    /// Every problem with the values (ranges, duplicate ledger ids), all at once.
    public func validate() -> [String] {
        var problems: [String] = []
        if token.isEmpty { problems.append("token: must not be empty") }
        if taskInitialState.isEmpty { problems.append("task_initial_state: must not be empty") }
        if !(taskPendingSeconds >= 0) { problems.append("task_pending_seconds: \(taskPendingSeconds) must be >= 0") }
        if !(taskDurationSeconds >= 0) { problems.append("task_duration_seconds: \(taskDurationSeconds) must be >= 0") }
        if !(0...1).contains(taskFailureRate) {
            problems.append("task_failure_rate: \(taskFailureRate) is outside 0...1")
        }
        if !(1...999).contains(batchesPerGeneration) {
            problems.append("batches_per_generation: \(batchesPerGeneration) is outside 1...999")
        }
        var seen: Set<String> = []
        for (index, ledger) in ledgers.enumerated() {
            if ledger.id.isEmpty || ledger.id.contains("/") {
                problems.append("ledgers[\(index)].id: \"\(ledger.id)\" must be non-empty and contain no \"/\"")
            }
            if !seen.insert(ledger.id).inserted {
                problems.append("ledgers[\(index)].id: duplicate ledger id \"\(ledger.id)\"")
            }
            if let count = ledger.previewCount, count < 0 {
                problems.append("ledgers[\(index)].preview_count: \(count) must be >= 0")
            }
        }
        return problems
    }

    /// Loads and validates a JSON configuration file.
    /// - Throws: `SimulatorConfigError` naming the file and the offending key.
    public static func load(path: String) throws -> SimulatorConfig {
        let data: Data
        do {
            data = try Data(contentsOf: URL(fileURLWithPath: path))
        } catch {
            throw SimulatorConfigError(path: path, problems: ["cannot read file: \(error.localizedDescription)"])
        }
        return try decode(data, path: path)
    }

    /// Decodes and validates a JSON configuration. `path` only labels errors.
    public static func decode(_ data: Data, path: String? = nil) throws -> SimulatorConfig {
        let config: SimulatorConfig
        do {
            config = try JSONDecoder().decode(SimulatorConfig.self, from: data)
        } catch let error as DecodingError {
            throw SimulatorConfigError(path: path, problems: [error.readableDescription])
        } catch {
            throw SimulatorConfigError(path: path, problems: ["not valid JSON: \(error)"])
        }
        let problems = config.validate()
        if !problems.isEmpty { throw SimulatorConfigError(path: path, problems: problems) }
        return config
    }
}

/// How a simulated task's `progress` moves while it runs.
public enum TaskProgressProfile: String, Sendable, Hashable, Codable, CaseIterable {
    /// Linear from 0 to 99 over the run.
    case steady
    /// Rises to 10 %, is stuck there until 80 % of the run has passed, then jumps to 80 %
    /// and moves on steadily to 99.
    case stuckThenJump = "stuck_then_jump"

    /// The `progress` shown when `fraction` (0..<1) of the run has passed.
    public func percent(atFraction fraction: Double) -> Int {
        let steady = min(99, max(0, Int(fraction * 100)))
        switch self {
        case .steady: return steady
        case .stuckThenJump: return fraction < 0.8 ? min(steady, 10) : steady
        }
    }
}
