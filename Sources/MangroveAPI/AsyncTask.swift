/// An async task as returned by `POST /ledgers/{id}/batch_generations` (202) and
/// `GET /async_tasks/{id}`. Every field but `id` and `state` is optional so that
/// nulls and missing fields never break decoding.
public struct AsyncTask: Sendable, Hashable, Codable {
    public var id: Int
    public var type: String?
    public var state: TaskState
    public var progress: Int?
    public var progressDescription: String?
    public var createdAt: String?
    public var startedAt: String?
    public var finishedAt: String?
    public var errorMessage: String?
    public var result: JSONValue?
    public var args: JSONValue?

    public init(
        id: Int, type: String? = "ProductionAccounting::BatchGeneration", state: TaskState,
        progress: Int? = 0, progressDescription: String? = nil, createdAt: String? = nil,
        startedAt: String? = nil, finishedAt: String? = nil, errorMessage: String? = nil,
        result: JSONValue? = nil, args: JSONValue? = nil
    ) {
        self.id = id
        self.type = type
        self.state = state
        self.progress = progress
        self.progressDescription = progressDescription
        self.createdAt = createdAt
        self.startedAt = startedAt
        self.finishedAt = finishedAt
        self.errorMessage = errorMessage
        self.result = result
        self.args = args
    }

    enum CodingKeys: String, CodingKey {
        case id, type, state, progress, result, args
        case progressDescription = "progress_description"
        case createdAt = "created_at"
        case startedAt = "started_at"
        case finishedAt = "finished_at"
        case errorMessage = "error_message"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        type = try c.decodeIfPresent(String.self, forKey: .type)
        state = try c.decodeIfPresent(TaskState.self, forKey: .state) ?? .unknown("")
        progress = try? c.decodeIfPresent(Int.self, forKey: .progress)
        progressDescription = try c.decodeIfPresent(String.self, forKey: .progressDescription)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt)
        startedAt = try c.decodeIfPresent(String.self, forKey: .startedAt)
        finishedAt = try c.decodeIfPresent(String.self, forKey: .finishedAt)
        errorMessage = try c.decodeIfPresent(String.self, forKey: .errorMessage)
        result = try c.decodeIfPresent(JSONValue.self, forKey: .result)
        args = try c.decodeIfPresent(JSONValue.self, forKey: .args)
    }

    /// Encodes every documented key, writing `null` for absent values, as the API does.
    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(type, forKey: .type)
        try c.encode(state, forKey: .state)
        try c.encode(progress, forKey: .progress)
        try c.encode(progressDescription, forKey: .progressDescription)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(startedAt, forKey: .startedAt)
        try c.encode(finishedAt, forKey: .finishedAt)
        try c.encode(errorMessage, forKey: .errorMessage)
        try c.encode(result, forKey: .result)
        try c.encode(args, forKey: .args)
    }
}

/// The async task lifecycle of the seeds: `pending` → `running` → `complete` | `failed`.
/// Unknown states decode into `.unknown` instead of failing.
public enum TaskState: Sendable, Hashable, Codable, CustomStringConvertible {
    case pending, running, complete, failed, processing
    case unknown(String)

    public init(rawValue: String) {
        switch rawValue {
        case "pending": self = .pending
        case "running": self = .running
        case "complete": self = .complete
        case "failed": self = .failed
        case "processing": self = .processing
        default: self = .unknown(rawValue)
        }
    }

    public var rawValue: String {
        switch self {
        case .pending: "pending"
        case .running: "running"
        case .complete: "complete"
        case .failed: "failed"
        case .processing: "processing"
        case .unknown(let value): value
        }
    }

    public var description: String { rawValue }

    /// `complete` and `failed` end a task; everything else (including unknown states) is polled again.
    public var isTerminal: Bool { self == .complete || self == .failed }

    public init(from decoder: any Decoder) throws {
        self.init(rawValue: try decoder.singleValueContainer().decode(String.self))
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.singleValueContainer()
        try c.encode(rawValue)
    }
}
