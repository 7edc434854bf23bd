import Testing

@testable import MangroveClient

@Suite("API client configuration")
struct APIClientConfigurationTests {
    @Test("defaults")
    func defaults() {
        let configuration = APIClientConfiguration()
        #expect(configuration.baseURL == "https://app.gomangrove.com/api/v1")
        #expect(configuration.connectTimeout == .seconds(10))
        #expect(configuration.requestTimeout == .seconds(30))
        #expect(configuration.retryPolicy == .default)
        #expect(configuration.userAgent == "mangrove-scheduler/\(MangroveSchedulerVersion.string)")
        #expect(configuration.httpClientConfiguration.connectionPool.retryConnectionEstablishment == false)
    }

    @Test("URLs join without doubled slashes", arguments: ["https://x.test/api/v1", "https://x.test/api/v1/", "https://x.test/api/v1//"])
    func urls(base: String) {
        let configuration = APIClientConfiguration(baseURL: base)
        #expect(configuration.url(path: "/ledgers") == "https://x.test/api/v1/ledgers")
        #expect(
            configuration.url(path: "/ledgers/l/batches", query: [("sort", "-created_at"), ("page", "2")])
                == "https://x.test/api/v1/ledgers/l/batches?sort=-created_at&page=2"
        )
    }

    @Test("IDs are encoded as one path segment")
    func pathSegments() {
        #expect("lgr_abc123def456".pathSegmentEncoded == "lgr_abc123def456")
        #expect("a/b?c d".pathSegmentEncoded == "a%2Fb%3Fc%20d")
    }

    @Test("Duration converts to TimeAmount")
    func timeAmount() {
        #expect(Duration.seconds(10).timeAmount == .seconds(10))
        #expect(Duration.milliseconds(1500).timeAmount == .milliseconds(1500))
    }
}
