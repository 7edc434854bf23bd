import MangroveAPI

/// Whether a call may be repeated without changing what happened on the server.
public enum RequestIdempotency: Sendable, Hashable {
    /// GETs and `generate_preview` (no side effects): safe to send again.
    case idempotent
    /// `POST …/batch_generations`: sending it twice may generate a period twice.
    case nonIdempotent
}

/// One failed attempt, as the retry rule sees it.
public enum AttemptFailure: Sendable, Hashable {
    /// The server answered with a non-2xx status; `message` is its `errors[].message`.
    case status(Int, message: String?)
    /// No HTTP answer arrived.
    case transport(TransportFailure)
}

/// What to do after a failed attempt.
public enum RetryVerdict: Sendable, Hashable {
    /// Try again if the budget allows; throw `ifExhausted` when it does not.
    case retry(ifExhausted: APIError)
    /// Stop now and throw this.
    case fail(APIError)
}

/// The retry rule of `HTTPBatchAPI`, as a pure function so every row is tested.
///
/// A double generation is the worst bug this product can have, so the non-idempotent
/// `POST …/batch_generations` is only sent again when the server provably did not
/// process it. Anything that may have been processed ends the call with
/// `APIError.outcomeUnknown`, and the daemon reconciles (lists the ledger's batches).
///
/// | failure                                         | idempotent (GETs, generate_preview) | createBatchGeneration (POST) |
/// |-------------------------------------------------|-------------------------------------|------------------------------|
/// | 408, 429, 503 with `Retry-After`                | retry → `.http` when exhausted      | retry → `.http` when exhausted |
/// | 503 without `Retry-After`                       | retry → `.http` when exhausted      | `.outcomeUnknown` at once    |
/// | 502, 504                                        | retry → `.http` when exhausted      | `.outcomeUnknown` at once    |
/// | 500 and every other 5xx                         | `.http` at once                     | `.outcomeUnknown` at once    |
/// | 400, 401, 403, 404, 422, other 4xx, 1xx, 3xx    | `.http` at once                     | `.http` at once              |
/// | not sent (refused, connect timeout, DNS, TLS)   | retry → `.unreachable`              | retry → `.unreachable`       |
/// | maybe sent (read timeout, reset, close, …)      | retry → `.unreachable`              | `.outcomeUnknown` at once    |
/// | permanent (bad URL, client shut down)           | `.unreachable` at once              | `.unreachable` at once       |
///
/// 408, 429 and a 503 that carries `Retry-After` are the server deliberately turning the
/// request away before acting on it, so even the POST is retried (honouring `Retry-After`).
/// A bare 503 can come from a proxy after the application started working (e.g. a router
/// timeout), so for the POST it counts as outcome unknown.
public enum RetryClassification {
    /// The verdict for `failure` of a call to `endpoint` (e.g. `POST /ledgers/x/batch_generations`,
    /// used in reasons).
    public static func verdict(
        for failure: AttemptFailure, idempotency: RequestIdempotency, endpoint: String, retryAfterGiven: Bool = false
    ) -> RetryVerdict {
        switch failure {
        case .status(let status, let message):
            let http = APIError.http(status: status, message: message)
            switch status {
            case 503 where idempotency == .nonIdempotent && !retryAfterGiven:
                return .fail(.outcomeUnknown(reason: ambiguousStatusReason(endpoint, status, message)))
            case 408, 429, 503:
                return .retry(ifExhausted: http)
            case 502, 504:
                if idempotency == .nonIdempotent {
                    return .fail(.outcomeUnknown(reason: ambiguousStatusReason(endpoint, status, message)))
                }
                return .retry(ifExhausted: http)
            case 500...599:
                if idempotency == .nonIdempotent {
                    return .fail(.outcomeUnknown(reason: ambiguousStatusReason(endpoint, status, message)))
                }
                return .fail(http)
            default:
                return .fail(http)
            }
        case .transport(let transport):
            switch transport {
            case .notSent(let reason):
                return .retry(ifExhausted: .unreachable(reason: "\(endpoint): \(reason)"))
            case .maybeSent(let reason):
                if idempotency == .nonIdempotent {
                    return .fail(
                        .outcomeUnknown(reason: "\(endpoint): \(reason) after the request may have been sent")
                    )
                }
                return .retry(ifExhausted: .unreachable(reason: "\(endpoint): \(reason)"))
            case .permanent(let reason):
                return .fail(.unreachable(reason: "\(endpoint): \(reason)"))
            }
        }
    }

    private static func ambiguousStatusReason(_ endpoint: String, _ status: Int, _ message: String?) -> String {
        var reason = "\(endpoint) answered HTTP \(status)"
        if let message { reason += " (\(message))" }
        return reason + "; the server may have started the generation"
    }
}
