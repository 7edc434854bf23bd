import AsyncHTTPClient
import NIOCore
import NIOPosix
import NIOSSL

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// What a failed attempt that got no HTTP response says about whether the request reached
/// the server. This decides whether the non-idempotent `POST …/batch_generations` may be
/// sent again: only `.notSent` may be retried, so anything not provably "never sent" is
/// `.maybeSent`.
///
/// | error (AsyncHTTPClient / SwiftNIO)                                   | verdict     |
/// |----------------------------------------------------------------------|-------------|
/// | `HTTPClientError.connectTimeout`, `ChannelError.connectTimeout`       | notSent     |
/// | `HTTPClientError.tlsHandshakeTimeout`, proxy/SOCKS handshake timeout | notSent     |
/// | `HTTPClientError.getConnectionFromPoolTimeout` (never got a connection) | notSent  |
/// | `NIOConnectionError` (DNS failed or every connect attempt failed)    | notSent     |
/// | `SocketAddressError`, `SocketAddressError.UnknownHost` (no address)  | notSent     |
/// | `IOError` ECONNREFUSED, ENETUNREACH, EHOSTUNREACH, EADDRNOTAVAIL, ENETDOWN | notSent |
/// | `NIOSSLError.handshakeFailed` (TLS never established, nothing written) | notSent   |
/// | `HTTPClientError.readTimeout`, `.writeTimeout`, `.deadlineExceeded`   | maybeSent   |
/// | `HTTPClientError.remoteConnectionClosed`, `.cancelled`, `.uncleanShutdown` | maybeSent |
/// | `IOError` ECONNRESET, EPIPE, ETIMEDOUT, any other errno              | maybeSent   |
/// | `ChannelError` other than connectTimeout (eof, ioOnClosedChannel, …) | maybeSent   |
/// | `NIOSSLError` other than handshakeFailed (e.g. uncleanShutdown)      | maybeSent   |
/// | `HTTPClientError.invalidURL`, `.emptyHost`, `.unsupportedScheme`, `.alreadyShutdown`, … | permanent |
/// | anything else                                                        | maybeSent   |
///
/// `deadlineExceeded` can mean the request was still queued for a connection, but it can
/// also fire while waiting for the answer, so it is counted as maybe-sent.
public enum TransportFailure: Sendable, Hashable {
    /// No connection was established, so no byte of the request left this host.
    case notSent(reason: String)
    /// The request may have reached the server (timeout, reset or close after connecting).
    case maybeSent(reason: String)
    /// A local problem retrying cannot fix (bad URL, client already shut down).
    case permanent(reason: String)

    public var reason: String {
        switch self {
        case .notSent(let reason), .maybeSent(let reason), .permanent(let reason): reason
        }
    }

    /// Classifies an error thrown by `HTTPClient.execute` or while reading the response body.
    public static func classify(_ error: any Error) -> TransportFailure {
        if let error = error as? HTTPClientError { return classify(error) }
        if let error = error as? ChannelError {
            if case .connectTimeout = error { return .notSent(reason: "connect timeout (\(error))") }
            return .maybeSent(reason: "connection failed after connecting (\(error))")
        }
        if let error = error as? NIOConnectionError {
            return .notSent(reason: "could not connect to \(error.host):\(error.port) (\(error))")
        }
        if let error = error as? SocketAddressError.UnknownHost {
            return .notSent(reason: "could not resolve the host (\(error))")
        }
        if let error = error as? SocketAddressError {
            return .notSent(reason: "no usable address (\(error))")
        }
        if let error = error as? IOError { return classify(errno: error.errnoCode, description: "\(error)") }
        if let error = error as? NIOSSLError {
            if case .handshakeFailed = error { return .notSent(reason: "TLS handshake failed (\(error))") }
            return .maybeSent(reason: "TLS error after connecting (\(error))")
        }
        return .maybeSent(reason: "\(error)")
    }

    /// `IOError` by errno: only errors that mean "no connection was made" are not-sent.
    static func classify(errno code: Int32, description: String) -> TransportFailure {
        switch code {
        case ECONNREFUSED: .notSent(reason: "connection refused (\(description))")
        case ENETUNREACH, EHOSTUNREACH, ENETDOWN, EADDRNOTAVAIL:
            .notSent(reason: "network unreachable (\(description))")
        case ECONNRESET: .maybeSent(reason: "connection reset (\(description))")
        case EPIPE: .maybeSent(reason: "connection closed while sending (\(description))")
        case ETIMEDOUT: .maybeSent(reason: "connection timed out (\(description))")
        default: .maybeSent(reason: description)
        }
    }

    static func classify(_ error: HTTPClientError) -> TransportFailure {
        let text = error.shortDescription
        switch error {
        case .connectTimeout, .tlsHandshakeTimeout, .socksHandshakeTimeout, .httpProxyHandshakeTimeout,
            .getConnectionFromPoolTimeout:
            return .notSent(reason: text.lowercased())
        case .invalidURL, .emptyHost, .emptyScheme, .missingSocketPath, .alreadyShutdown,
            .invalidProxyConfiguration, .invalidLocalAddress, .invalidDNSOverridesConfiguration,
            .invalidHTTPVersionConfiguration, .invalidRedirectConfiguration, .shutdownUnsupported:
            return .permanent(reason: text.lowercased())
        default:
            switch text {
            case "Unsupported scheme", "Invalid header field names", "Invalid header field values":
                // Not `\(error)`: its description would echo header values, the token among them.
                return .permanent(reason: text.lowercased())
            default:
                return .maybeSent(reason: text.lowercased())
            }
        }
    }
}
