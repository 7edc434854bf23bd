/// The `{"data": [...]}` envelope of the API's list endpoints. `meta` carries paging
/// when the server sends it; it is optional because the seeds do not document it.
public struct ListResponse<Element: Sendable & Codable & Hashable>: Sendable, Hashable, Codable {
    public var data: [Element]
    public var meta: PageMeta?

    public init(data: [Element], meta: PageMeta? = nil) {
        self.data = data
        self.meta = meta
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        data = try c.decodeIfPresent([Element].self, forKey: .data) ?? []
        meta = try? c.decodeIfPresent(PageMeta.self, forKey: .meta)
    }

    enum CodingKeys: String, CodingKey { case data, meta }
}

/// Paging of a list response (`page` is 1-based).
public struct PageMeta: Sendable, Hashable, Codable {
    public var page: Int?
    public var perPage: Int?
    public var totalCount: Int?
    public var totalPages: Int?

    public init(page: Int? = nil, perPage: Int? = nil, totalCount: Int? = nil, totalPages: Int? = nil) {
        self.page = page
        self.perPage = perPage
        self.totalCount = totalCount
        self.totalPages = totalPages
    }

    enum CodingKeys: String, CodingKey {
        case page
        case perPage = "per_page"
        case totalCount = "total_count"
        case totalPages = "total_pages"
    }
}

/// The API's error body: `{"status":"error","statusCode":404,"errors":[{"message":"record not found"}]}`.
public struct ErrorResponse: Sendable, Hashable, Codable {
    public var status: String?
    public var statusCode: Int?
    public var errors: [ErrorMessage]

    public init(statusCode: Int, messages: [String]) {
        self.status = "error"
        self.statusCode = statusCode
        self.errors = messages.map { ErrorMessage(message: $0) }
    }

    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        status = try? c.decodeIfPresent(String.self, forKey: .status)
        statusCode = try? c.decodeIfPresent(Int.self, forKey: .statusCode)
        errors = (try? c.decodeIfPresent([ErrorMessage].self, forKey: .errors)) ?? []
    }

    enum CodingKeys: String, CodingKey { case status, statusCode, errors }

    /// The messages joined for a log line, or nil when the body named none.
    public var joinedMessages: String? {
        let messages = errors.compactMap(\.message).filter { !$0.isEmpty }
        return messages.isEmpty ? nil : messages.joined(separator: "; ")
    }
}

public struct ErrorMessage: Sendable, Hashable, Codable {
    public var message: String?
    public init(message: String?) { self.message = message }
}
