import MangroveAPI

extension APIError {
    /// The same error with `token` scrubbed from every text it carries.
    func redacted(by token: APIToken) -> APIError {
        switch self {
        case .http(let status, let message): .http(status: status, message: message.map(token.redact))
        case .outcomeUnknown(let reason): .outcomeUnknown(reason: token.redact(reason))
        case .unreachable(let reason): .unreachable(reason: token.redact(reason))
        case .invalidResponse(let reason): .invalidResponse(reason: token.redact(reason))
        case .missingToken(let reason): .missingToken(reason: token.redact(reason))
        case .notProcessed(let reason, let status, let retryAfter):
            .notProcessed(reason: token.redact(reason), status: status, retryAfter: retryAfter)
        }
    }
}
