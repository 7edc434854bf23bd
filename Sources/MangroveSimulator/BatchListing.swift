import MangroveAPI

/// Sorting and paging of `GET /ledgers/{id}/batches`: `sort` (`created_at`,
/// `-created_at`, `start_time`, `-start_time`, `end_time`, `-end_time`; default
/// `created_at`), `page` (1-based, default 1) and `per_page` (default 25, capped at 100).
struct BatchListing: Sendable, Hashable {
    enum Field: String, Sendable { case createdAt = "created_at", startTime = "start_time", endTime = "end_time" }

    static let defaultPerPage = 25
    static let maxPerPage = 100

    var field: Field = .createdAt
    var descending = false
    var page = 1
    var perPage = defaultPerPage

    static func parse(_ query: [String: String]) -> Result<BatchListing, RequestProblem> {
        var listing = BatchListing()
        var problems: [String] = []
        if let sort = query["sort"], !sort.isEmpty {
            let descending = sort.hasPrefix("-")
            let name = descending ? String(sort.dropFirst()) : sort
            if let field = Field(rawValue: name) {
                listing.field = field
                listing.descending = descending
            } else {
                problems.append("sort: unknown field \"\(sort)\"; expected created_at, start_time or end_time, optionally prefixed with -")
            }
        }
        if let text = query["page"] {
            if let page = Int(text), page >= 1 { listing.page = page } else { problems.append("page must be an integer >= 1, got \"\(text)\"") }
        }
        if let text = query["per_page"] {
            if let perPage = Int(text), perPage >= 1 {
                listing.perPage = min(perPage, maxPerPage)
            } else {
                problems.append("per_page must be an integer >= 1, got \"\(text)\"")
            }
        }
        return problems.isEmpty ? .success(listing) : .failure(RequestProblem(messages: problems))
    }

    /// The requested page of `batches` and its `meta`.
    func apply(to batches: [StoredBatch]) -> ([StoredBatch], PageMeta) {
        func key(_ batch: StoredBatch) -> Int64 {
            switch field {
            case .createdAt: batch.createdAtMs
            case .startTime: batch.startMs
            case .endTime: batch.endMs
            }
        }
        let sorted = batches.sorted { a, b in
            let lhs = (key(a), a.sequence)
            let rhs = (key(b), b.sequence)
            return descending ? lhs > rhs : lhs < rhs
        }
        let total = sorted.count
        let totalPages = (total + perPage - 1) / perPage
        let from = min(total, (page - 1) * perPage)
        let to = min(total, from + perPage)
        let meta = PageMeta(page: page, perPage: perPage, totalCount: total, totalPages: totalPages)
        return (Array(sorted[from..<to]), meta)
    }
}
