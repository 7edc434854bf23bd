/// When a newest-first page of batches shows that later pages can only hold batches
/// created before the bound.
/// Conservative: any item without a readable `created_at`, or a page that is not in
/// descending order (a server that ignores `sort`), means "keep paging".
enum OlderPage {
    /// `createdAt` values are the API's RFC 3339 UTC strings with milliseconds, which sort
    /// as text; `bound` is formatted the same way.
    static func reachesPast(_ createdAt: [String?], than bound: String) -> Bool {
        guard !createdAt.isEmpty else { return false }
        var previous: String?
        for value in createdAt {
            guard let value, value.count == bound.count, value.hasSuffix("Z") else { return false }
            if let previous, value > previous { return false }
            previous = value
        }
        // Newest first: once the page's oldest is older than the bound, so is every later page.
        return previous.map { $0 < bound } ?? false
    }
}
