import Foundation
import Hummingbird
import Logging
import MangroveAPI
import NIOCore
import HTTPTypes

/// The HTTP face of the simulator: routes `/api/v1/...` through fault injection
/// into `SimulatorState`, and `/_sim/...` to the unauthenticated admin endpoints.
/// It only carries out replies; every decision is the state's.
struct SimulatorResponder: HTTPResponder {
    typealias Context = SimulatorRequestContext

    static let apiPrefix = "/api/v1"
    static let adminPrefix = "/_sim"
    static let maxBodySize = 1 << 20

    let state: SimulatorState
    let logger: Logger

    func respond(to request: Request, context: Context) async throws -> Response {
        var request = request
        let path = request.uri.path
        let method = request.method.rawValue
        var query: [String: String] = [:]
        for (key, value) in request.uri.queryParameters { query[String(key)] = String(value) }

        var body: [UInt8]? = nil
        if request.method == .post || request.method == .put || request.method == .patch {
            do {
                let buffer = try await request.collectBody(upTo: Self.maxBodySize)
                body = Array(buffer.readableBytesView)
            } catch {
                return Self.render(.error(413, "request body larger than \(Self.maxBodySize) bytes"))
            }
        }
        let incoming = IncomingRequest(
            method: method, path: path, query: query,
            authorization: request.headers[.authorization], body: body
        )

        if path == Self.adminPrefix || path.hasPrefix(Self.adminPrefix + "/") {
            return Self.render(await AdminEndpoints(state: state).handle(incoming))
        }
        guard path == Self.apiPrefix || path.hasPrefix(Self.apiPrefix + "/") else {
            return Self.render(.notFound)
        }
        let relativePath = String(path.dropFirst(Self.apiPrefix.count))
        let endpoint = ResolvedRoute.resolve(method: method, relativePath: relativePath)?.endpoint
        let fault = await state.selectFault(method: method, path: path, relativePath: relativePath, endpoint: endpoint)
        if case .latency(let milliseconds)? = fault {
            try await Task.sleep(for: .milliseconds(milliseconds))
        }
        let reply = await state.handle(incoming, relativePath: relativePath, fault: fault)
        logger.debug(
            "simulator request",
            metadata: [
                "method": "\(method)", "path": "\(path)",
                "status": "\(reply.status.map(String.init) ?? "dropped")",
                "fault": "\(fault?.name ?? "none")",
            ]
        )
        if case .dropConnection = reply {
            // Close without writing anything: the client sees the connection end
            // mid-request. The response returned below can no longer be written.
            try? await context.channel.close()
            return Response(status: .internalServerError)
        }
        if case .trickle(let rate)? = fault {
            return Self.render(reply, trickleBytesPerSecond: rate)
        }
        return Self.render(reply)
    }

    /// `trickleBytesPerSecond`: the body is written `rate` bytes at a time, one write a
    /// second (real time), as a slow or throttling proxy would.
    static func render(_ reply: SimulatorReply, trickleBytesPerSecond rate: Int? = nil) -> Response {
        guard case .respond(let status, let body, let extraHeaders) = reply else {
            return Response(status: .internalServerError)
        }
        var headers = HTTPFields()
        for (name, value) in extraHeaders {
            if let field = HTTPField.Name(name) { headers[field] = value }
        }
        guard let body else {
            return Response(status: .init(code: status), headers: headers)
        }
        if headers[.contentType] == nil { headers[.contentType] = "application/json; charset=utf-8" }
        if let rate, rate > 0 {
            let chunks = stride(from: 0, to: body.count, by: rate).map { body[$0..<min($0 + rate, body.count)] }
            return Response(
                status: .init(code: status), headers: headers,
                body: ResponseBody(contentLength: body.count) { writer in
                    for (index, chunk) in chunks.enumerated() {
                        if index > 0 { try await Task.sleep(for: .seconds(1)) }
                        try await writer.write(ByteBuffer(bytes: chunk))
                    }
                    try await writer.finish(nil)
                }
            )
        }
        return Response(
            status: .init(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
