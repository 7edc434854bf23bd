import Foundation
/// The Mangrove API operations the scheduler uses. The daemon depends on this
/// capability only; `HTTPBatchAPI` runs it over HTTP and tests substitute fakes.
///
/// Every method throws `APIError`. Idempotent reads are retried inside the
/// implementation; `createBatchGeneration` is never re-sent once it may have
/// reached the server (see `APIError.outcomeUnknown`).
public protocol BatchAPI: Sendable {
    func ledgers() async throws -> [Ledger]
    func requiredInputs(ledgerID: String) async throws -> [RequiredInput]
    func generatePreview(ledgerID: String, request: BatchGenerationRequest) async throws -> [PreviewEntry]
    func createBatchGeneration(ledgerID: String, request: BatchGenerationRequest) async throws -> AsyncTask
    func asyncTask(id: Int) async throws -> AsyncTask
    /// All batches of a ledger, newest first (`sort=-created_at`), across pages.
    func batches(ledgerID: String) async throws -> [Batch]
    /// The ledger's batches newest first, at least every one created at or after
    /// `createdSince` (paging stops once a whole page is older): a steady-state check before
    /// a POST costs one small request.
    func batches(ledgerID: String, createdSince: Date) async throws -> [Batch]
}

extension BatchAPI {
    public func batches(ledgerID: String, createdSince: Date) async throws -> [Batch] {
        try await batches(ledgerID: ledgerID)
    }
}

/// Why an API call failed, in terms the daemon acts on.
public enum APIError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The server answered with a status that is not retried (400, 401, 403, 404, 422, …)
    /// or a retryable one after the retry budget ran out. `message` is the API's
    /// `errors[].message` when it sent one.
    case http(status: Int, message: String?)
    /// The request may have been processed but no answer arrived (timeout or reset
    /// after sending, or a 500/502/504). Only raised for non-idempotent calls.
    case outcomeUnknown(reason: String)
    /// The request never reached the server (connection refused, DNS, TLS) and the
    /// retry budget ran out.
    case unreachable(reason: String)
    /// The server answered 2xx with a body that could not be decoded.
    case invalidResponse(reason: String)
    /// The generation POST provably did nothing (408, 429, 503 with `Retry-After`, or the
    /// connection was never made). The client does not wait and re-send it itself: the
    /// daemon journals `not_fired` first, then fires again after `retryAfter` (the
    /// server's `Retry-After`, if any), so a crash during the wait leaves no bare `intent`.
    case notProcessed(reason: String, status: Int?, retryAfter: Duration?)
    /// No token could be found (see the contract's token order).
    case missingToken(reason: String)

    public var description: String {
        switch self {
        case .http(let status, let message):
            if let message { return "HTTP \(status): \(message)" }
            return "HTTP \(status)"
        case .outcomeUnknown(let reason): return "outcome unknown: \(reason)"
        case .unreachable(let reason): return "API unreachable: \(reason)"
        case .invalidResponse(let reason): return "invalid response: \(reason)"
        case .notProcessed(let reason, _, let retryAfter):
            return "not processed: \(reason)" + (retryAfter.map { "; Retry-After \(Int($0.components.seconds)) s" } ?? "")
        case .missingToken(let reason): return "no API token: \(reason)"
        }
    }

    /// The HTTP status, when the server answered.
    public var status: Int? {
        if case .http(let status, _) = self { return status }
        if case .notProcessed(_, let status, _) = self { return status }
        return nil
    }
}
