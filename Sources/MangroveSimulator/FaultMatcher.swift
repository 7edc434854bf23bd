/// Which requests a fault rule applies to. Every field that is set must match;
/// an empty matcher matches every API request (admin endpoints are never faulted).
public struct FaultMatcher: Sendable, Hashable, Codable {
    /// HTTP method, case-insensitive (e.g. `POST`).
    public var method: String?
    /// Prefix of the path, either relative to `/api/v1` (`/ledgers/lgr_x/batch_generations`)
    /// or absolute (`/api/v1/async_tasks`).
    public var pathPrefix: String?
    /// The endpoint, e.g. `batch_generations`.
    public var endpoint: SimulatorEndpoint?

    public init(method: String? = nil, pathPrefix: String? = nil, endpoint: SimulatorEndpoint? = nil) {
        self.method = method
        self.pathPrefix = pathPrefix
        self.endpoint = endpoint
    }

    /// Matches every API request.
    public static let any = FaultMatcher()

    enum CodingKeys: String, CodingKey {
        case method, endpoint
        case pathPrefix = "path_prefix"
    }

    func matches(method: String, path: String, relativePath: String, endpoint: SimulatorEndpoint?) -> Bool {
        if let wanted = self.method, wanted.uppercased() != method.uppercased() { return false }
        if let prefix = pathPrefix, !(relativePath.hasPrefix(prefix) || path.hasPrefix(prefix)) { return false }
        if let wanted = self.endpoint, wanted != endpoint { return false }
        return true
    }
}
