import Foundation
import MangroveAPI

/// A request as the simulator's logic needs it, independent of Hummingbird.
struct IncomingRequest: Sendable {
    var method: String
    var path: String
    var query: [String: String]
    var authorization: String?
    var body: [UInt8]?
}

/// What the simulator answers: a status, JSON body and extra headers, or a
/// dropped connection.
enum SimulatorReply: Sendable {
    case respond(status: Int, body: Data?, headers: [String: String])
    case dropConnection

    static let encoder: JSONEncoder = {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        return encoder
    }()

    static func json(_ status: Int, _ value: some Encodable, headers: [String: String] = [:]) -> SimulatorReply {
        do {
            return .respond(status: status, body: try encoder.encode(value), headers: headers)
        } catch {
            return .error(500, "simulator could not encode its response: \(error)")
        }
    }

    /// The API's error body: `{"status":"error","statusCode":N,"errors":[{"message":"..."}]}`.
    static func error(_ status: Int, _ message: String, headers: [String: String] = [:]) -> SimulatorReply {
        error(status, messages: [message], headers: headers)
    }

    static func error(_ status: Int, messages: [String], headers: [String: String] = [:]) -> SimulatorReply {
        let body = ErrorResponse(statusCode: status, messages: messages)
        let data = (try? encoder.encode(body)) ?? Data()
        return .respond(status: status, body: data, headers: headers)
    }

    static let notFound = SimulatorReply.error(404, "record not found")

    /// The same reply with ` (Authentication context: AUTH)` appended to every
    /// `errors[].message` of an error body (`echo_auth_in_errors`).
    func echoingInErrorMessages(_ authorization: String) -> SimulatorReply {
        guard case .respond(let status, let body?, let headers) = self, status >= 400,
            var decoded = try? JSONDecoder().decode(ErrorResponse.self, from: body)
        else { return self }
        decoded.errors = decoded.errors.map { ErrorMessage(message: ($0.message ?? "") + " (Authentication context: \(authorization))") }
        guard let data = try? Self.encoder.encode(decoded) else { return self }
        return .respond(status: status, body: data, headers: headers)
    }

    var status: Int? {
        if case .respond(let status, _, _) = self { return status }
        return nil
    }
}
