import MangroveAPI
import NIOHTTP1

extension HTTPBatchAPI {
    /// Fetches every page of a list endpoint (see `PageWalk`), dropping duplicates by `id`.
    ///
    /// With `pagingOnFirstPage` false the first request carries no `page`/`per_page` (as the
    /// seeds call `GET /ledgers`); further pages are only asked for when the answer's
    /// `meta.total_pages` says there are more, with the server's own page size.
    func listAllPages<Element: Sendable & Codable & Hashable & Redactable>(
        _ path: String, query: [(name: String, value: String)], pagingOnFirstPage: Bool,
        id: KeyPath<Element, String>, isPast: ([Element]) -> Bool = { _ in false }
    ) async throws -> [Element] {
        var all: [Element] = []
        var seen: Set<String> = []
        var page = 1
        var perPage = configuration.pageSize
        while true {
            var pageQuery = query
            if pagingOnFirstPage || page > 1 {
                pageQuery += [(name: "page", value: "\(page)"), (name: "per_page", value: "\(perPage)")]
            }
            let list = try await send(
                .GET, path: path, query: pageQuery, idempotency: .idempotent, decoding: ListResponse<Element>.self
            )
            var new = 0
            for element in list.data where seen.insert(element[keyPath: id]).inserted {
                all.append(element)
                new += 1
            }
            if isPast(list.data) { return all }
            let next: Int?
            if !pagingOnFirstPage && page == 1 {
                // An unpaged request: only go on when the server says it paged the answer.
                guard list.meta?.totalPages.map({ $0 > 1 }) == true else { return all }
                perPage = max(1, list.meta?.perPage ?? list.data.count)
                next = 2
            } else {
                next = PageWalk.nextPage(
                    after: page, received: list.data.count, new: new, requestedPerPage: perPage, meta: list.meta
                )
            }
            guard let next else { return all }
            guard next <= configuration.maxPages else {
                throw APIError.invalidResponse(
                    reason: "GET \(path): still more pages after \(configuration.maxPages) pages; "
                        + "refusing to return a partial list"
                )
            }
            page = next
        }
    }
}
