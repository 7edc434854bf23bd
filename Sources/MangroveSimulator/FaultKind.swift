/// What a fault rule does to a request it hits. Each kind models a failure the
/// scheduler must survive without double-generating or losing a period.
public enum FaultKind: Sendable, Hashable {
    /// Wait this many milliseconds (real time), then answer normally.
    case latency(milliseconds: Int)
    /// Answer with `status` and the API's error body without processing the request.
    /// `retryAfterSeconds` adds a `Retry-After` header (429 and 503 in practice).
    case status(Int, retryAfterSeconds: Int?)
    /// Close the connection without any response; the request is NOT processed.
    case drop
    /// Process the request (a POST creates its task), then close the connection
    /// without a response: the client cannot know the outcome.
    case processThenDrop
    /// Process the request, then answer `status` (e.g. 500, 502, 504) instead of the
    /// real response: again an outcome the client cannot know.
    case processThenStatus(Int)
    /// Answer 200 with a body that is not JSON, without processing the request (a proxy's
    /// error page, a truncated answer).
    case garbageBody
    /// Process the request, then answer 200 with a body that is not the API's JSON (an
    /// HTML page, as a captive proxy or a misrouted gateway sends): the client cannot
    /// decode it. For the POST the generation was started all the same.
    case undecodable
    /// Process the request, then send the real answer at `bytesPerSecond` (real time),
    /// one chunk a second: a response that defeats a per-read timeout but not a deadline
    /// for the whole request.
    case trickle(bytesPerSecond: Int)
    /// Answer `302 Found` with a `Location` elsewhere (a login page, another host) without
    /// processing the request. The client must not follow it.
    case redirect(location: String)

    /// 429 with `Retry-After`.
    public static func tooManyRequests(retryAfterSeconds: Int = 1) -> FaultKind {
        .status(429, retryAfterSeconds: retryAfterSeconds)
    }

    /// 503 with `Retry-After`.
    public static func serviceUnavailable(retryAfterSeconds: Int = 1) -> FaultKind {
        .status(503, retryAfterSeconds: retryAfterSeconds)
    }

    /// The `Location` of `redirect` when the rule names none.
    public static let defaultRedirectLocation = "https://login.example.invalid/sso"

    /// 500 without `Retry-After`.
    public static var internalServerError: FaultKind { .status(500, retryAfterSeconds: nil) }

    /// The name used in JSON (`kind`) and in the request log.
    public var name: String {
        switch self {
        case .latency: "latency"
        case .status: "status"
        case .drop: "drop"
        case .processThenDrop: "process_then_drop"
        case .processThenStatus: "process_then_status"
        case .garbageBody: "garbage_body"
        case .undecodable: "undecodable"
        case .trickle: "trickle"
        case .redirect: "redirect"
        }
    }

    /// Whether the request is carried out despite the fault.
    var processesRequest: Bool {
        switch self {
        case .latency, .processThenDrop, .processThenStatus, .undecodable, .trickle: true
        case .status, .drop, .redirect, .garbageBody: false
        }
    }
}
