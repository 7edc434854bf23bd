/// Body of `POST /ledgers/{id}/batch_generations` and `POST /ledgers/{id}/generate_preview`.
/// Times are the exact strings the scheduler journals (`2025-03-31T23:59:59.000Z`).
public struct BatchGenerationRequest: Sendable, Hashable, Codable {
    public var startTime: String
    public var endTime: String
    public var dataPointIds: [String]?
    public var batchAmounts: [BatchAmount]?
    public var skippedDataPointTypeIds: [Int]?

    public init(
        startTime: String, endTime: String, dataPointIds: [String]? = nil,
        batchAmounts: [BatchAmount]? = nil, skippedDataPointTypeIds: [Int]? = nil
    ) {
        self.startTime = startTime
        self.endTime = endTime
        self.dataPointIds = dataPointIds
        self.batchAmounts = batchAmounts
        self.skippedDataPointTypeIds = skippedDataPointTypeIds
    }

    enum CodingKeys: String, CodingKey {
        case startTime = "start_time"
        case endTime = "end_time"
        case dataPointIds = "data_point_ids"
        case batchAmounts = "batch_amounts"
        case skippedDataPointTypeIds = "skipped_data_point_type_ids"
    }
}

/// One entry of `batch_amounts`.
public struct BatchAmount: Sendable, Hashable, Codable {
    public var batchId: String?
    public var primaryOutputAmount: Double?
    public var allocationGroup: String?

    public init(batchId: String? = nil, primaryOutputAmount: Double? = nil, allocationGroup: String? = nil) {
        self.batchId = batchId
        self.primaryOutputAmount = primaryOutputAmount
        self.allocationGroup = allocationGroup
    }

    enum CodingKeys: String, CodingKey {
        case batchId = "batch_id"
        case primaryOutputAmount = "primary_output_amount"
        case allocationGroup = "allocation_group"
    }
}
