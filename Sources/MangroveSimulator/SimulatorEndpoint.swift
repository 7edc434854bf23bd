/// The API operations the simulator serves, named so fault rules and the request
/// log can refer to them without repeating path patterns.
public enum SimulatorEndpoint: String, Sendable, Hashable, Codable, CaseIterable {
    /// `GET /ledgers`
    case ledgers
    /// `GET /ledgers/{id}/required_inputs`
    case requiredInputs = "required_inputs"
    /// `POST /ledgers/{id}/generate_preview`
    case generatePreview = "generate_preview"
    /// `POST /ledgers/{id}/batch_generations`
    case batchGenerations = "batch_generations"
    /// `GET /async_tasks/{id}`
    case asyncTask = "async_task"
    /// `GET /ledgers/{id}/batches`
    case ledgerBatches = "ledger_batches"
    /// `GET /batches/{id}`
    case batch
}

/// A request path under `/api/v1` resolved to an endpoint and its path parameter.
struct ResolvedRoute: Sendable, Hashable {
    var endpoint: SimulatorEndpoint
    /// The ledger id, batch id or task id from the path (nil for `GET /ledgers`).
    var identifier: String?

    /// Resolves `method` + `relativePath` (the path after `/api/v1`), or nil when no
    /// endpoint has that method and path.
    static func resolve(method: String, relativePath: String) -> ResolvedRoute? {
        let parts = relativePath.split(separator: "/", omittingEmptySubsequences: true).map(String.init)
        switch (method, parts.count) {
        case ("GET", 1) where parts[0] == "ledgers":
            return ResolvedRoute(endpoint: .ledgers, identifier: nil)
        case ("GET", 3) where parts[0] == "ledgers" && parts[2] == "required_inputs":
            return ResolvedRoute(endpoint: .requiredInputs, identifier: parts[1])
        case ("POST", 3) where parts[0] == "ledgers" && parts[2] == "generate_preview":
            return ResolvedRoute(endpoint: .generatePreview, identifier: parts[1])
        case ("POST", 3) where parts[0] == "ledgers" && parts[2] == "batch_generations":
            return ResolvedRoute(endpoint: .batchGenerations, identifier: parts[1])
        case ("GET", 3) where parts[0] == "ledgers" && parts[2] == "batches":
            return ResolvedRoute(endpoint: .ledgerBatches, identifier: parts[1])
        case ("GET", 2) where parts[0] == "async_tasks":
            return ResolvedRoute(endpoint: .asyncTask, identifier: parts[1])
        case ("GET", 2) where parts[0] == "batches":
            return ResolvedRoute(endpoint: .batch, identifier: parts[1])
        default:
            return nil
        }
    }
}
