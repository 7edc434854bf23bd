import AsyncHTTPClient
import NIOCore

extension APIClientConfiguration {
    /// The `HTTPClient.Configuration` `HTTPBatchAPI` is designed for: the connect timeout,
    /// redirects disallowed (a redirected POST could be re-sent elsewhere), and no silent
    /// connection-establishment retries inside AsyncHTTPClient (our own retry loop decides,
    /// logs and honours the budget). Create the client with
    /// `HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: config.httpClientConfiguration)`
    /// and shut it down when done.
    public var httpClientConfiguration: HTTPClient.Configuration {
        var configuration = HTTPClient.Configuration(
            redirectConfiguration: .disallow,
            timeout: .init(connect: connectTimeout.timeAmount, read: requestTimeout.timeAmount)
        )
        configuration.connectionPool.retryConnectionEstablishment = false
        // Close idle connections well before servers usually do (60 s), so a POST is not sent
        // on a connection the server is closing, which would make its outcome unknown.
        configuration.connectionPool.idleTimeout = .seconds(15)
        return configuration
    }
}
