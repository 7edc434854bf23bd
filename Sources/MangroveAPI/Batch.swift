/// A batch from `GET /ledgers/{id}/batches` and `GET /batches/{id}`. The scheduler only
/// relies on `id`, `start_time` and `end_time` (to reconcile a POST whose outcome is
/// unknown); the rest is carried as raw JSON so the simulator can serve the seeds' shape.
public struct Batch: Sendable, Hashable, Codable {
    public var id: String
    public var trackingId: String?
    public var startTime: String?
    public var endTime: String?
    public var state: String?
    public var createdAt: String?
    public var updatedAt: String?
    public var primaryOutput: JSONValue?
    public var ledgerBalance: Double?
    public var allocations: [JSONValue]?
    public var modelRun: JSONValue?
    public var feedstocks: [JSONValue]?
    public var inputData: [JSONValue]?
    public var reportAllocations: [JSONValue]?
    public var downstreamBatchAllocations: [JSONValue]?

    public init(
        id: String, trackingId: String? = nil, startTime: String? = nil, endTime: String? = nil,
        state: String? = nil, createdAt: String? = nil, updatedAt: String? = nil,
        primaryOutput: JSONValue? = nil, ledgerBalance: Double? = nil, allocations: [JSONValue]? = nil,
        modelRun: JSONValue? = nil, feedstocks: [JSONValue]? = nil, inputData: [JSONValue]? = nil,
        reportAllocations: [JSONValue]? = nil, downstreamBatchAllocations: [JSONValue]? = nil
    ) {
        self.id = id
        self.trackingId = trackingId
        self.startTime = startTime
        self.endTime = endTime
        self.state = state
        self.createdAt = createdAt
        self.updatedAt = updatedAt
        self.primaryOutput = primaryOutput
        self.ledgerBalance = ledgerBalance
        self.allocations = allocations
        self.modelRun = modelRun
        self.feedstocks = feedstocks
        self.inputData = inputData
        self.reportAllocations = reportAllocations
        self.downstreamBatchAllocations = downstreamBatchAllocations
    }

    enum CodingKeys: String, CodingKey {
        case id, state, allocations, feedstocks
        case trackingId = "tracking_id"
        case startTime = "start_time"
        case endTime = "end_time"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
        case primaryOutput = "primary_output"
        case ledgerBalance = "ledger_balance"
        case modelRun = "model_run"
        case inputData = "input_data"
        case reportAllocations = "report_allocations"
        case downstreamBatchAllocations = "downstream_batch_allocations"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        trackingId = try c.decodeIfPresent(String.self, forKey: .trackingId)
        startTime = try c.decodeIfPresent(String.self, forKey: .startTime)
        endTime = try c.decodeIfPresent(String.self, forKey: .endTime)
        state = try c.decodeIfPresent(String.self, forKey: .state)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt)
        updatedAt = try c.decodeIfPresent(String.self, forKey: .updatedAt)
        primaryOutput = try c.decodeIfPresent(JSONValue.self, forKey: .primaryOutput)
        ledgerBalance = try? c.decodeIfPresent(Double.self, forKey: .ledgerBalance)
        allocations = try? c.decodeIfPresent([JSONValue].self, forKey: .allocations)
        modelRun = try c.decodeIfPresent(JSONValue.self, forKey: .modelRun)
        feedstocks = try? c.decodeIfPresent([JSONValue].self, forKey: .feedstocks)
        inputData = try? c.decodeIfPresent([JSONValue].self, forKey: .inputData)
        reportAllocations = try? c.decodeIfPresent([JSONValue].self, forKey: .reportAllocations)
        downstreamBatchAllocations = try? c.decodeIfPresent([JSONValue].self, forKey: .downstreamBatchAllocations)
    }
}
