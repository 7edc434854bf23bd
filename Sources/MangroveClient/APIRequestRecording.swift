/// Where `HTTPBatchAPI` reports each attempt it makes (injected; no global metrics
/// system): the endpoint as a route template, the status class and the latency.
public protocol APIRequestRecording: Sendable {
    /// - Parameters:
    ///   - endpoint: `POST /ledgers/{id}/batch_generations`, never with an id in it.
    ///   - statusClass: `2xx`, `3xx`, `4xx`, `5xx`, or `transport` (no answer: refused,
    ///     reset, timed out).
    ///   - seconds: from sending to the last byte of the answer (or the failure).
    func requestFinished(endpoint: String, statusClass: String, seconds: Double)
}

/// Bounded label values for API metrics.
public enum APIEndpointLabel {
    /// `GET /ledgers/lgr_abc/batches` → `GET /ledgers/{id}/batches`;
    /// `GET /async_tasks/456` → `GET /async_tasks/{id}`.
    public static func of(method: String, path: String) -> String {
        let collections: Set<Substring> = ["ledgers", "async_tasks", "batches"]
        var out: [Substring] = []
        var previous: Substring = ""
        for segment in path.split(separator: "/") {
            out.append(collections.contains(previous) && !collections.contains(segment) ? "{id}" : segment)
            previous = segment
        }
        return "\(method) /" + out.joined(separator: "/")
    }

    /// `2xx` … `5xx` for an HTTP status.
    public static func statusClass(_ status: Int) -> String { "\(status / 100)xx" }
    public static let transport = "transport"
}
