import Foundation
import MangroveAPI
import SchedulerCore

/// One API request as the simulator saw it, so tests can assert what a client
/// actually sent (and what it got back) instead of inferring it.
public struct RecordedRequest: Sendable, Hashable, Codable {
    /// 1-based arrival order; keeps counting across `clearRequests()`.
    public var sequence: Int
    public var method: String
    /// Full path, e.g. `/api/v1/ledgers/lgr_x/batch_generations`.
    public var path: String
    /// Decoded query parameters (`sort`, `page`, …).
    public var query: [String: String]
    /// The endpoint, or nil for a path the API does not have.
    public var endpoint: SimulatorEndpoint?
    /// Status sent, or nil when the connection was closed without a response.
    public var status: Int?
    /// The JSON body of a POST (a string when it was not JSON), nil otherwise.
    public var body: JSONValue?
    /// Whether `Authorization` carried the configured token.
    public var authorized: Bool
    /// The simulator's `now` when the request was handled.
    public var time: Date
    /// The fault applied, if any.
    public var fault: FaultKind?
    /// Whether the request was carried out with a 2xx outcome, even if the client never
    /// saw it (`process_then_drop`); false for `drop`, status faults, 401, 404, 422.
    public var processed: Bool
    /// The task a `batch_generations` request created.
    public var createdTaskID: Int?

    public init(
        sequence: Int, method: String, path: String, query: [String: String], endpoint: SimulatorEndpoint?,
        status: Int?, body: JSONValue?, authorized: Bool, time: Date, fault: FaultKind?, processed: Bool,
        createdTaskID: Int?
    ) {
        self.sequence = sequence
        self.method = method
        self.path = path
        self.query = query
        self.endpoint = endpoint
        self.status = status
        self.body = body
        self.authorized = authorized
        self.time = time
        self.fault = fault
        self.processed = processed
        self.createdTaskID = createdTaskID
    }

    /// The body as a generation request, when it is one.
    public var generationRequest: BatchGenerationRequest? {
        guard let body, let data = try? JSONEncoder().encode(body) else { return nil }
        return try? JSONDecoder().decode(BatchGenerationRequest.self, from: data)
    }

    enum CodingKeys: String, CodingKey {
        case sequence, method, path, query, endpoint, status, body, authorized, time, fault, processed
        case createdTaskID = "created_task_id"
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        sequence = try c.decode(Int.self, forKey: .sequence)
        method = try c.decode(String.self, forKey: .method)
        path = try c.decode(String.self, forKey: .path)
        query = try c.decodeIfPresent([String: String].self, forKey: .query) ?? [:]
        endpoint = try? c.decodeIfPresent(SimulatorEndpoint.self, forKey: .endpoint)
        status = try c.decodeIfPresent(Int.self, forKey: .status)
        body = try c.decodeIfPresent(JSONValue.self, forKey: .body)
        authorized = try c.decodeIfPresent(Bool.self, forKey: .authorized) ?? false
        let timeText = try c.decode(String.self, forKey: .time)
        guard let ms = UTCTimestamp.parseMilliseconds(timeText) else {
            throw DecodingError.dataCorruptedError(forKey: .time, in: c, debugDescription: "not a date-time: \(timeText)")
        }
        time = UTCTimestamp.date(milliseconds: ms)
        fault = try c.decodeIfPresent(FaultKind.self, forKey: .fault)
        processed = try c.decodeIfPresent(Bool.self, forKey: .processed) ?? false
        createdTaskID = try c.decodeIfPresent(Int.self, forKey: .createdTaskID)
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(sequence, forKey: .sequence)
        try c.encode(method, forKey: .method)
        try c.encode(path, forKey: .path)
        try c.encode(query, forKey: .query)
        try c.encode(endpoint, forKey: .endpoint)
        try c.encode(status, forKey: .status)
        try c.encode(body, forKey: .body)
        try c.encode(authorized, forKey: .authorized)
        try c.encode(UTCTimestamp.format(time), forKey: .time)
        try c.encode(fault, forKey: .fault)
        try c.encode(processed, forKey: .processed)
        try c.encode(createdTaskID, forKey: .createdTaskID)
    }
}
