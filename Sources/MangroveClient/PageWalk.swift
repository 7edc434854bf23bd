import MangroveAPI

/// When listing batches stops asking for the next page: a pure rule so the edge cases are
/// tested without a server. A partial list could hide an existing batch during
/// reconciliation (and cause a double generation), so when in doubt it asks for more,
/// within `maxPages`.
///
/// | page came back with                                    | next page?            |
/// |--------------------------------------------------------|-----------------------|
/// | no items                                               | stop                  |
/// | only items already seen (server ignores `page`)        | stop                  |
/// | `meta.total_pages` = T                                 | page < T              |
/// | no `total_pages`, fewer items than `meta.per_page` or the requested `per_page` | stop |
/// | otherwise                                              | page + 1              |
enum PageWalk {
    static func nextPage(after page: Int, received: Int, new: Int, requestedPerPage: Int, meta: PageMeta?) -> Int? {
        guard received > 0, new > 0 else { return nil }
        if let totalPages = meta?.totalPages {
            return page < totalPages ? page + 1 : nil
        }
        let perPage = meta?.perPage ?? requestedPerPage
        return received < perPage ? nil : page + 1
    }
}
