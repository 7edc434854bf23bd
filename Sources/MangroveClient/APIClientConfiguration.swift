import SchedulerCore

/// Where and how `HTTPBatchAPI` talks to the Mangrove API. Values come from the schedule's
/// `api` object; the defaults match the production API.
public struct APIClientConfiguration: Sendable, Hashable {
    /// The production base URL from the seeds.
    public static let defaultBaseURL = "https://app.gomangrove.com/api/v1"
    /// `mangrove-scheduler/<version>`.
    public static let defaultUserAgent = "mangrove-scheduler/\(MangroveSchedulerVersion.string)"

    /// The API root, e.g. `https://app.gomangrove.com/api/v1`; a trailing `/` is ignored.
    public var baseURL: String
    /// How long establishing a TCP (and TLS) connection may take.
    public var connectTimeout: Duration
    /// How long one attempt (send, wait, read the whole body) may take.
    public var requestTimeout: Duration
    /// How often retryable failures are tried again, and how long to wait in between.
    public var retryPolicy: RetryPolicy
    public var userAgent: String
    /// `per_page` when listing batches.
    public var pageSize: Int
    /// Upper bound on pages fetched when listing batches (a runaway server cannot loop us).
    public var maxPages: Int
    /// Largest response body accepted, in bytes.
    public var maxResponseBytes: Int

    public init(
        baseURL: String = APIClientConfiguration.defaultBaseURL,
        connectTimeout: Duration = .seconds(10),
        requestTimeout: Duration = .seconds(30),
        retryPolicy: RetryPolicy = .default,
        userAgent: String = APIClientConfiguration.defaultUserAgent,
        pageSize: Int = 100,
        maxPages: Int = 1000,
        maxResponseBytes: Int = 16 * 1024 * 1024
    ) {
        self.baseURL = baseURL
        self.connectTimeout = connectTimeout
        self.requestTimeout = requestTimeout
        self.retryPolicy = retryPolicy
        self.userAgent = userAgent
        self.pageSize = pageSize
        self.maxPages = maxPages
        self.maxResponseBytes = maxResponseBytes
    }

    /// `baseURL` + `path` (which starts with `/`) + the query, without doubled slashes.
    func url(path: String, query: [(name: String, value: String)] = []) -> String {
        var base = baseURL
        while base.hasSuffix("/") { base.removeLast() }
        var url = base + path
        if !query.isEmpty {
            url += "?" + query.map { "\($0.name)=\($0.value)" }.joined(separator: "&")
        }
        return url
    }
}
