import MangroveAPI

/// A batch a completed generation created, with the keys the list endpoint sorts on.
struct StoredBatch: Sendable, Hashable {
    var ledgerID: String
    /// Global creation order, the tie-breaker of every sort.
    var sequence: Int
    var createdAtMs: Int64
    var startMs: Int64
    var endMs: Int64
    /// The full shape of `GET /batches/{id}` (the retrieve-batch seed).
    var full: Batch

    /// The shorter shape of `GET /ledgers/{id}/batches` (the cookbook's list entry).
    var listEntry: Batch {
        var primary: JSONValue? = nil
        if case .object(var fields)? = full.primaryOutput {
            fields["data_point_type_id"] = nil
            primary = .object(fields)
        }
        return Batch(
            id: full.id, trackingId: full.trackingId, startTime: full.startTime, endTime: full.endTime,
            state: full.state, createdAt: full.createdAt, primaryOutput: primary, ledgerBalance: full.ledgerBalance
        )
    }
}
