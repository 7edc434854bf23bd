import MangroveAPI

/// A ledger the simulator serves. `latestModel` nil (JSON `null` or absent) makes
/// `batch_generations` answer 422 "ledger has no linked model", as the API does.
public struct SimulatedLedger: Sendable, Hashable, Codable {
    public var id: String
    public var name: String
    public var unit: String
    public var cadence: String
    public var latestModel: ModelReference?
    public var partitionType: String?
    public var requiredInputs: [RequiredInput]
    /// `count` of `generate_preview`; nil means the simulator's `batches_per_generation`.
    public var previewCount: Int?
    public var createdAt: String

    public init(
        id: String, name: String, unit: String = "t", cadence: String = "monthly",
        latestModel: ModelReference? = nil, partitionType: String? = "feedstock",
        requiredInputs: [RequiredInput] = [], previewCount: Int? = nil,
        createdAt: String = "2025-01-15T10:00:00.000Z"
    ) {
        self.id = id
        self.name = name
        self.unit = unit
        self.cadence = cadence
        self.latestModel = latestModel
        self.partitionType = partitionType
        self.requiredInputs = requiredInputs
        self.previewCount = previewCount
        self.createdAt = createdAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, unit, cadence
        case latestModel = "latest_model"
        case partitionType = "partition_type"
        case requiredInputs = "required_inputs"
        case previewCount = "preview_count"
        case createdAt = "created_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name) ?? id
        unit = try c.decodeIfPresent(String.self, forKey: .unit) ?? "t"
        cadence = try c.decodeIfPresent(String.self, forKey: .cadence) ?? "monthly"
        latestModel = try c.decodeIfPresent(ModelReference.self, forKey: .latestModel)
        partitionType = try c.decodeIfPresent(String.self, forKey: .partitionType)
        requiredInputs = try c.decodeIfPresent([RequiredInput].self, forKey: .requiredInputs) ?? []
        previewCount = try c.decodeIfPresent(Int.self, forKey: .previewCount)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt) ?? "2025-01-15T10:00:00.000Z"
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(unit, forKey: .unit)
        try c.encode(cadence, forKey: .cadence)
        try c.encode(latestModel, forKey: .latestModel)
        try c.encodeIfPresent(partitionType, forKey: .partitionType)
        try c.encode(requiredInputs, forKey: .requiredInputs)
        try c.encodeIfPresent(previewCount, forKey: .previewCount)
        try c.encode(createdAt, forKey: .createdAt)
    }

    /// The ledger as `GET /ledgers` returns it (the cookbook's shape).
    var apiLedger: Ledger {
        Ledger(
            id: id, name: name, unit: unit, systemLedgerType: nil, partitionType: partitionType,
            cadence: cadence, latestModel: latestModel, assetCategory: nil,
            createdAt: createdAt, updatedAt: createdAt
        )
    }
}
