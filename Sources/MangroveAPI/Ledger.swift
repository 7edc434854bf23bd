/// A ledger from `GET /ledgers`. Batch generation needs a non-null `latest_model`.
public struct Ledger: Sendable, Hashable, Codable {
    public var id: String
    public var name: String?
    public var unit: String?
    public var systemLedgerType: String?
    public var partitionType: String?
    public var cadence: String?
    public var latestModel: ModelReference?
    public var assetCategory: String?
    public var createdAt: String?
    public var updatedAt: String?

    public init(
        id: String, name: String? = nil, unit: String? = nil, systemLedgerType: String? = nil,
        partitionType: String? = nil, cadence: String? = nil, latestModel: ModelReference? = nil,
        assetCategory: String? = nil, createdAt: String? = nil, updatedAt: String? = nil
    ) {
        self.id = id
        self.name = name
        self.unit = unit
        self.systemLedgerType = systemLedgerType
        self.partitionType = partitionType
        self.cadence = cadence
        self.latestModel = latestModel
        self.assetCategory = assetCategory
        self.createdAt = createdAt
        self.updatedAt = updatedAt
    }

    enum CodingKeys: String, CodingKey {
        case id, name, unit, cadence
        case systemLedgerType = "system_ledger_type"
        case partitionType = "partition_type"
        case latestModel = "latest_model"
        case assetCategory = "asset_category"
        case createdAt = "created_at"
        case updatedAt = "updated_at"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(String.self, forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        unit = try c.decodeIfPresent(String.self, forKey: .unit)
        systemLedgerType = try c.decodeIfPresent(String.self, forKey: .systemLedgerType)
        partitionType = try c.decodeIfPresent(String.self, forKey: .partitionType)
        cadence = try c.decodeIfPresent(String.self, forKey: .cadence)
        latestModel = try c.decodeIfPresent(ModelReference.self, forKey: .latestModel)
        assetCategory = try c.decodeIfPresent(String.self, forKey: .assetCategory)
        createdAt = try c.decodeIfPresent(String.self, forKey: .createdAt)
        updatedAt = try c.decodeIfPresent(String.self, forKey: .updatedAt)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(id, forKey: .id)
        try c.encode(name, forKey: .name)
        try c.encode(unit, forKey: .unit)
        try c.encode(systemLedgerType, forKey: .systemLedgerType)
        try c.encode(partitionType, forKey: .partitionType)
        try c.encode(cadence, forKey: .cadence)
        try c.encode(latestModel, forKey: .latestModel)
        try c.encode(assetCategory, forKey: .assetCategory)
        try c.encode(createdAt, forKey: .createdAt)
        try c.encode(updatedAt, forKey: .updatedAt)
    }
}

/// `latest_model` of a ledger.
public struct ModelReference: Sendable, Hashable, Codable {
    public var id: String
    public var name: String?

    public init(id: String, name: String? = nil) {
        self.id = id
        self.name = name
    }
}

/// One entry of `GET /ledgers/{id}/required_inputs`.
public struct RequiredInput: Sendable, Hashable, Codable {
    public var id: Int
    public var name: String?
    public var slug: String?
    public var unit: String?
    public var valueType: String?
    public var category: String?
    public var subcategory: String?
    public var isManualSelect: Bool
    public var allocationGroups: [JSONValue]
    public var outputOfLedgers: [JSONValue]

    public init(
        id: Int, name: String? = nil, slug: String? = nil, unit: String? = nil, valueType: String? = nil,
        category: String? = nil, subcategory: String? = nil, isManualSelect: Bool = false,
        allocationGroups: [JSONValue] = [], outputOfLedgers: [JSONValue] = []
    ) {
        self.id = id
        self.name = name
        self.slug = slug
        self.unit = unit
        self.valueType = valueType
        self.category = category
        self.subcategory = subcategory
        self.isManualSelect = isManualSelect
        self.allocationGroups = allocationGroups
        self.outputOfLedgers = outputOfLedgers
    }

    enum CodingKeys: String, CodingKey {
        case id, name, slug, unit, category, subcategory
        case valueType = "value_type"
        case isManualSelect = "is_manual_select"
        case allocationGroups = "allocation_groups"
        case outputOfLedgers = "output_of_ledgers"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        id = try c.decode(Int.self, forKey: .id)
        name = try c.decodeIfPresent(String.self, forKey: .name)
        slug = try c.decodeIfPresent(String.self, forKey: .slug)
        unit = try c.decodeIfPresent(String.self, forKey: .unit)
        valueType = try c.decodeIfPresent(String.self, forKey: .valueType)
        category = try c.decodeIfPresent(String.self, forKey: .category)
        subcategory = try c.decodeIfPresent(String.self, forKey: .subcategory)
        isManualSelect = try c.decodeIfPresent(Bool.self, forKey: .isManualSelect) ?? false
        allocationGroups = try c.decodeIfPresent([JSONValue].self, forKey: .allocationGroups) ?? []
        outputOfLedgers = try c.decodeIfPresent([JSONValue].self, forKey: .outputOfLedgers) ?? []
    }
}

/// One entry of `POST /ledgers/{id}/generate_preview`: how many batches a generation would create.
public struct PreviewEntry: Sendable, Hashable, Codable {
    public var id: String
    public var name: String?
    public var count: Int

    public init(id: String, name: String? = nil, count: Int) {
        self.id = id
        self.name = name
        self.count = count
    }
}
