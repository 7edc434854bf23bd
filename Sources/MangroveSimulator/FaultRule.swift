/// One fault to inject: which requests (`match`), what happens (`kind`) and how
/// often. With `count`, the rule hits the next N matching requests and then
/// retires; with `probability`, each matching request is hit with that chance,
/// drawn from the simulator's seeded generator. Both may be combined; with
/// neither, every matching request is hit. Rules are tried in order and the
/// first that fires decides the request's fault (one fault per request).
///
/// JSON (snake_case): `{"match": {"method": "POST", "endpoint": "batch_generations"},
/// "kind": "status", "status": 503, "retry_after_seconds": 2, "count": 1}`.
/// `kind` is one of `latency` (with `latency_ms`), `status` (with `status` and
/// optional `retry_after_seconds`), `too_many_requests`, `service_unavailable`,
/// `internal_server_error`, `drop`, `process_then_drop`, `process_then_status`
/// (with `status`), `undecodable` (processed, then a 200 whose body is an HTML page),
/// `trickle` (processed, then the answer at `bytes_per_second`, real time) and
/// `redirect` (not processed; `302` to `location`, default
/// `https://login.example.invalid/sso`), and `garbage_body` (not processed; a 200 whose
/// body is not JSON).
public struct FaultRule: Sendable, Hashable, Codable {
    public var match: FaultMatcher
    public var kind: FaultKind
    /// Remaining number of hits; nil means unlimited.
    public var count: Int?
    /// Chance (0...1) that a matching request is hit; nil means always.
    public var probability: Double?

    public init(match: FaultMatcher = .any, kind: FaultKind, count: Int? = nil, probability: Double? = nil) {
        self.match = match
        self.kind = kind
        self.count = count
        self.probability = probability
    }

    enum CodingKeys: String, CodingKey {
        case match, count, probability
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        match = try c.decodeIfPresent(FaultMatcher.self, forKey: .match) ?? .any
        kind = try FaultKind(from: decoder)
        count = try c.decodeIfPresent(Int.self, forKey: .count)
        probability = try c.decodeIfPresent(Double.self, forKey: .probability)
        if let count, count < 0 {
            throw DecodingError.dataCorruptedError(forKey: .count, in: c, debugDescription: "count must be >= 0, got \(count)")
        }
        if let probability, !(0...1).contains(probability) {
            throw DecodingError.dataCorruptedError(
                forKey: .probability, in: c, debugDescription: "probability must be within 0...1, got \(probability)")
        }
    }

    public func encode(to encoder: any Encoder) throws {
        try kind.encode(to: encoder)
        var c = encoder.container(keyedBy: CodingKeys.self)
        try c.encode(match, forKey: .match)
        try c.encodeIfPresent(count, forKey: .count)
        try c.encodeIfPresent(probability, forKey: .probability)
    }
}
