import AsyncHTTPClient
import NIOCore
import NIOSSL
import Testing

@testable import MangroveClient

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

@Suite("Transport failure classification")
struct TransportFailureTests {
    enum Kind { case notSent, maybeSent, permanent }

    static func kind(_ error: any Error) -> Kind {
        switch TransportFailure.classify(error) {
        case .notSent: .notSent
        case .maybeSent: .maybeSent
        case .permanent: .permanent
        }
    }

    @Test("failures before a connection exists are not-sent")
    func notSent() {
        let errors: [any Error] = [
            HTTPClientError.connectTimeout,
            HTTPClientError.tlsHandshakeTimeout,
            HTTPClientError.socksHandshakeTimeout,
            HTTPClientError.httpProxyHandshakeTimeout,
            HTTPClientError.getConnectionFromPoolTimeout,
            ChannelError.connectTimeout(.seconds(10)),
            IOError(errnoCode: ECONNREFUSED, reason: "connect"),
            IOError(errnoCode: ENETUNREACH, reason: "connect"),
            IOError(errnoCode: EHOSTUNREACH, reason: "connect"),
            IOError(errnoCode: EADDRNOTAVAIL, reason: "connect"),
            IOError(errnoCode: ENETDOWN, reason: "connect"),
            SocketAddressError.unsupported,
        ]
        for error in errors {
            #expect(Self.kind(error) == .notSent, "\(error)")
        }
    }

    @Test("failures once connected, and unknown errors, are maybe-sent")
    func maybeSent() {
        struct Mystery: Error {}
        let errors: [any Error] = [
            HTTPClientError.readTimeout,
            HTTPClientError.writeTimeout,
            HTTPClientError.remoteConnectionClosed,
            HTTPClientError.deadlineExceeded,
            HTTPClientError.cancelled,
            HTTPClientError.uncleanShutdown,
            HTTPClientError.requestStreamCancelled,
            HTTPClientError.bodyLengthMismatch,
            ChannelError.ioOnClosedChannel,
            ChannelError.eof,
            ChannelError.alreadyClosed,
            ChannelError.outputClosed,
            IOError(errnoCode: ECONNRESET, reason: "read"),
            IOError(errnoCode: EPIPE, reason: "write"),
            IOError(errnoCode: ETIMEDOUT, reason: "read"),
            IOError(errnoCode: EIO, reason: "read"),
            NIOSSLError.uncleanShutdown,
            Mystery(),
        ]
        for error in errors {
            #expect(Self.kind(error) == .maybeSent, "\(error)")
        }
    }

    @Test("local configuration problems are permanent")
    func permanent() {
        let errors: [any Error] = [
            HTTPClientError.invalidURL,
            HTTPClientError.emptyHost,
            HTTPClientError.emptyScheme,
            HTTPClientError.alreadyShutdown,
            HTTPClientError.unsupportedScheme("ftp"),
            HTTPClientError.invalidHeaderFieldValues(["x"]),
        ]
        for error in errors {
            #expect(Self.kind(error) == .permanent, "\(error)")
        }
    }

    @Test("reasons are readable")
    func reasons() {
        #expect(TransportFailure.classify(HTTPClientError.readTimeout).reason == "read timeout")
        #expect(TransportFailure.classify(IOError(errnoCode: ECONNREFUSED, reason: "connect")).reason.contains("refused"))
    }
}
