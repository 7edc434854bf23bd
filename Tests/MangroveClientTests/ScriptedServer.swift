import Foundation
import HTTPTypes
import Hummingbird
import Logging
import NIOCore
import ServiceLifecycle
import Synchronization

/// A loopback HTTP server whose answers a test scripts, for what the simulator does not
/// do on purpose: malformed 2xx bodies, HTTP-date `Retry-After`, non-JSON error pages,
/// and recording every request header.
final class ScriptedServer: Sendable {
    struct Seen: Sendable {
        var method: String
        var path: String
        var headers: HTTPFields
        var body: String
    }

    struct Reply: Sendable {
        var status: Int
        var headers: [String: String] = [:]
        var body: String = ""
    }

    let script: @Sendable (Seen) -> Reply
    private let seen = Mutex<[Seen]>([])
    private let boundPort = Mutex<Int>(0)

    var port: Int { boundPort.withLock { $0 } }
    var baseURL: String { "http://127.0.0.1:\(port)/api/v1" }
    var requests: [Seen] { seen.withLock { $0 } }

    private init(script: @escaping @Sendable (Seen) -> Reply) {
        self.script = script
    }

    fileprivate func record(_ request: Seen) -> Reply {
        seen.withLock { $0.append(request) }
        return script(request)
    }

    /// Serves `script` on 127.0.0.1 (ephemeral port) while `body` runs, then stops.
    static func with<T: Sendable>(
        _ script: @escaping @Sendable (Seen) -> Reply,
        _ body: @Sendable (ScriptedServer) async throws -> T
    ) async throws -> T {
        let server = ScriptedServer(script: script)
        let (started, continuation) = AsyncStream<Void>.makeStream()
        var logger = Logger(label: "scripted-server")
        logger.logLevel = .warning
        let app = Application(
            responder: ScriptedResponder(server: server),
            configuration: ApplicationConfiguration(address: .hostname("127.0.0.1", port: 0), serverName: nil),
            onServerRunning: { channel in
                server.boundPort.withLock { $0 = channel.localAddress?.port ?? 0 }
                continuation.yield()
                continuation.finish()
            },
            logger: logger
        )
        let services = ServiceGroup(configuration: .init(services: [app], logger: logger))
        return try await withThrowingTaskGroup(of: Void.self) { group in
            group.addTask {
                defer { continuation.finish() }
                try await services.run()
            }
            var iterator = started.makeAsyncIterator()
            guard await iterator.next() != nil else {
                try await group.waitForAll()
                throw CancellationError()
            }
            let result: T
            do {
                result = try await body(server)
            } catch {
                await services.triggerGracefulShutdown()
                try? await group.waitForAll()
                throw error
            }
            await services.triggerGracefulShutdown()
            try await group.waitForAll()
            return result
        }
    }
}

private struct ScriptedResponder: HTTPResponder {
    typealias Context = BasicRequestContext
    let server: ScriptedServer

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let bytes = try await request.collectBody(upTo: 1 << 20)
        let seen = ScriptedServer.Seen(
            method: request.method.rawValue, path: request.uri.path, headers: request.headers,
            body: String(decoding: bytes.readableBytesView, as: UTF8.self)
        )
        let reply = server.record(seen)
        var headers = HTTPFields()
        for (name, value) in reply.headers {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        return Response(
            status: .init(code: reply.status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(string: reply.body))
        )
    }
}
