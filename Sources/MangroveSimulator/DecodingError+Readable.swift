extension DecodingError {
    /// One line naming the JSON path and what was expected, e.g.
    /// `ledgers[1].latest_model.id: required key is missing`.
    var readableDescription: String {
        func render(_ path: [any CodingKey]) -> String {
            var out = ""
            for key in path {
                if let index = key.intValue {
                    out += "[\(index)]"
                } else {
                    out += out.isEmpty ? key.stringValue : ".\(key.stringValue)"
                }
            }
            return out.isEmpty ? "(top level)" : out
        }
        switch self {
        case .typeMismatch(let type, let context):
            return "\(render(context.codingPath)): expected \(type)"
        case .valueNotFound(let type, let context):
            return "\(render(context.codingPath)): expected \(type), found null"
        case .keyNotFound(let key, let context):
            return "\(render(context.codingPath + [key])): required key is missing"
        case .dataCorrupted(let context):
            if context.codingPath.isEmpty { return "not valid JSON" }
            return "\(render(context.codingPath)): \(context.debugDescription)"
        @unknown default:
            return "\(self)"
        }
    }
}
