/// JSON form of a fault kind, flat in its rule: `{"kind": "status", "status": 503,
/// "retry_after_seconds": 2}`, `{"kind": "latency", "latency_ms": 250}`, `{"kind": "drop"}`,
/// `{"kind": "undecodable"}`, `{"kind": "trickle", "bytes_per_second": 1}`,
/// `{"kind": "redirect", "location": "https://login.example.invalid/sso"}` (`location` optional).
/// Decoding also accepts the shorthands `too_many_requests`, `service_unavailable`
/// and `internal_server_error`.
extension FaultKind: Codable {
    enum CodingKeys: String, CodingKey {
        case kind, status
        case latencyMilliseconds = "latency_ms"
        case retryAfterSeconds = "retry_after_seconds"
        case bytesPerSecond = "bytes_per_second"
        case location
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        let retryAfter = try c.decodeIfPresent(Int.self, forKey: .retryAfterSeconds)
        let kindName = try c.decode(String.self, forKey: .kind)
        switch kindName {
        case "latency":
            let ms = try c.decode(Int.self, forKey: .latencyMilliseconds)
            guard ms >= 0 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .latencyMilliseconds, in: c, debugDescription: "latency_ms must be >= 0, got \(ms)")
            }
            self = .latency(milliseconds: ms)
        case "status":
            self = .status(try Self.decodeStatus(c), retryAfterSeconds: retryAfter)
        case "too_many_requests":
            self = .status(429, retryAfterSeconds: retryAfter ?? 1)
        case "service_unavailable":
            self = .status(503, retryAfterSeconds: retryAfter ?? 1)
        case "internal_server_error":
            self = .status(500, retryAfterSeconds: retryAfter)
        case "drop":
            self = .drop
        case "process_then_drop":
            self = .processThenDrop
        case "garbage_body":
            self = .garbageBody
        case "process_then_status":
            self = .processThenStatus(c.contains(.status) ? try Self.decodeStatus(c) : 500)
        case "undecodable":
            self = .undecodable
        case "trickle":
            let rate = try c.decode(Int.self, forKey: .bytesPerSecond)
            guard rate >= 1 else {
                throw DecodingError.dataCorruptedError(
                    forKey: .bytesPerSecond, in: c, debugDescription: "bytes_per_second must be >= 1, got \(rate)")
            }
            self = .trickle(bytesPerSecond: rate)
        case "redirect":
            self = .redirect(location: try c.decodeIfPresent(String.self, forKey: .location) ?? Self.defaultRedirectLocation)
        default:
            throw DecodingError.dataCorruptedError(
                forKey: .kind, in: c,
                debugDescription: "unknown fault kind \"\(kindName)\"; expected one of latency, status, "
                    + "too_many_requests, service_unavailable, internal_server_error, drop, "
                    + "process_then_drop, process_then_status, undecodable, trickle, redirect, garbage_body"
            )
        }
    }

    private static func decodeStatus(_ c: KeyedDecodingContainer<CodingKeys>) throws -> Int {
        let status = try c.decode(Int.self, forKey: .status)
        guard (100...599).contains(status) else {
            throw DecodingError.dataCorruptedError(
                forKey: .status, in: c, debugDescription: "status must be an HTTP status (100...599), got \(status)")
        }
        return status
    }

    public func encode(to encoder: any Encoder) throws {
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(name, forKey: .kind)
        switch self {
        case .latency(let ms):
            try c.encode(ms, forKey: .latencyMilliseconds)
        case .status(let status, let retryAfter):
            try c.encode(status, forKey: .status)
            try c.encodeIfPresent(retryAfter, forKey: .retryAfterSeconds)
        case .processThenStatus(let status):
            try c.encode(status, forKey: .status)
        case .trickle(let rate):
            try c.encode(rate, forKey: .bytesPerSecond)
        case .redirect(let location):
            try c.encode(location, forKey: .location)
        case .drop, .processThenDrop, .undecodable, .garbageBody:
            break
        }
    }
}
