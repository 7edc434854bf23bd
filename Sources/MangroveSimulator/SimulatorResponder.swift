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
        return Self.render(reply)
    }

    static func render(_ reply: SimulatorReply) -> Response {
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
        headers[.contentType] = "application/json; charset=utf-8"
        return Response(
            status: .init(code: status), headers: headers,
            body: ResponseBody(byteBuffer: ByteBuffer(bytes: body))
        )
    }
}
