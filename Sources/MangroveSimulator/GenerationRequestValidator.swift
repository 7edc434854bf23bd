import Foundation
import MangroveAPI
import SchedulerCore

/// The validated time range of a generation or preview request, normalised to the
/// API's own rendering (`2025-01-01T00:00:00.000Z`) so batches echo it exactly.
struct ValidatedRange: Sendable, Hashable {
    var startTime: String
    var endTime: String
}

/// Why a request body was refused (422), one message per problem.
struct RequestProblem: Error, Sendable, Hashable {
    var messages: [String]
    var message: String { messages.joined(separator: "; ") }
}

/// Checks the body of `batch_generations` and `generate_preview` the way the API
/// does, answering with messages that say exactly what is wrong.
enum GenerationRequestValidator {
    static let example = "2025-01-01T00:00:00.000Z"

    static func validate(_ body: [UInt8]?) -> Result<ValidatedRange, RequestProblem> {
        guard let body, !body.isEmpty else {
            return .failure(RequestProblem(messages: ["request body is missing; expected JSON with start_time and end_time"]))
        }
        guard let json = try? JSONDecoder().decode(JSONValue.self, from: Data(body)) else {
            return .failure(RequestProblem(messages: ["request body is not valid JSON"]))
        }
        guard case .object(let fields) = json else {
            return .failure(RequestProblem(messages: ["request body must be a JSON object with start_time and end_time"]))
        }
        var problems: [String] = []
        let start = time(fields, "start_time", &problems)
        let end = time(fields, "end_time", &problems)
        checkArray(fields, "data_point_ids", &problems) { if case .string = $0 { true } else { false } }
        checkArray(fields, "batch_amounts", &problems) { if case .object = $0 { true } else { false } }
        checkArray(fields, "skipped_data_point_type_ids", &problems) {
            if case .number(let n) = $0 { n.rounded() == n } else { false }
        }
        if let start, let end, end <= start {
            problems.append("end_time must be after start_time")
        }
        guard problems.isEmpty, let start, let end else {
            return .failure(RequestProblem(messages: problems))
        }
        return .success(
            ValidatedRange(startTime: UTCTimestamp.format(milliseconds: start), endTime: UTCTimestamp.format(milliseconds: end))
        )
    }

    private static func time(_ fields: [String: JSONValue], _ key: String, _ problems: inout [String]) -> Int64? {
        switch fields[key] {
        case nil, .null?:
            problems.append("\(key) is missing")
            return nil
        case .string(let text)?:
            guard let ms = UTCTimestamp.parseMilliseconds(text) else {
                problems.append("\(key) is not an ISO 8601 date-time (e.g. \(example)): \"\(text)\"")
                return nil
            }
            return ms
        default:
            problems.append("\(key) must be a string date-time (e.g. \(example))")
            return nil
        }
    }

    private static func checkArray(
        _ fields: [String: JSONValue], _ key: String, _ problems: inout [String], element: (JSONValue) -> Bool
    ) {
        switch fields[key] {
        case nil, .null?:
            return
        case .array(let items)?:
            if !items.allSatisfy(element) { problems.append("\(key) has an element of the wrong type") }
        default:
            problems.append("\(key) must be an array")
        }
    }
}
