import MangroveAPI
import SchedulerCore

extension APIErrorSummary {
    /// Classifies a failed call for the period state machine. For the POST, anything that
    /// is not a definite refusal or a definite "never sent" counts as outcome unknown.
    init(_ error: any Error, isPost: Bool) {
        if error is CancellationError {
            // The client throws it only when nothing was sent (cancelled before or between attempts).
            self.init(kind: .unreachable, message: "cancelled before sending (the daemon is stopping)")
            return
        }
        guard let api = error as? APIError else {
            self.init(kind: isPost ? .outcomeUnknown : .unreachable, message: String(describing: error))
            return
        }
        switch api {
        case .http(let status, _):
            self.init(kind: .refused, status: status, message: api.description)
        case .outcomeUnknown:
            self.init(kind: .outcomeUnknown, message: api.description)
        case .unreachable:
            self.init(kind: .unreachable, message: api.description)
        case .invalidResponse:
            self.init(kind: isPost ? .outcomeUnknown : .unreachable, message: api.description)
        case .notProcessed(_, let status, let retryAfter):
            self.init(kind: isPost ? .notProcessed : .unreachable, status: status, message: api.description, retryAfter: retryAfter)
        case .missingToken:
            self.init(kind: .refused, message: api.description)
        }
    }
}
