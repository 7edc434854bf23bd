/// One thing wrong with a schedule, pointing at the JSON path (and line/column) to edit.
public struct ScheduleProblem: Sendable, Hashable, CustomStringConvertible {
    public enum Severity: String, Sendable, Hashable { case error, warning }

    public var severity: Severity
    /// `ledgers[2].cadence`; empty for the document itself.
    public var path: String
    public var message: String
    public var line: Int?
    public var column: Int?

    public init(_ severity: Severity, path: String, message: String, line: Int? = nil, column: Int? = nil) {
        self.severity = severity
        self.path = path
        self.message = message
        self.line = line
        self.column = column
    }

    /// Sorted by line and column (problems without a position, such as a missing key, first),
    /// keeping the order found for equal positions.
    public static func inFileOrder(_ problems: [ScheduleProblem]) -> [ScheduleProblem] {
        problems.enumerated().sorted { a, b in
            let ka = (a.element.line ?? 0, a.element.column ?? 0, a.offset), kb = (b.element.line ?? 0, b.element.column ?? 0, b.offset)
            return ka < kb
        }.map(\.element)
    }

    /// `ledgers[2].cadence: unknown cadence "montly"; expected one of …`
    public var description: String {
        let prefix = severity == .warning ? "warning: " : ""
        return path.isEmpty ? prefix + message : prefix + "\(path): \(message)"
    }

    /// `schedule.json:12:20: ledgers[2].cadence: …`, the form `check` prints.
    public func formatted(file: String) -> String {
        var location = file
        if let line { location += ":\(line)" + (column.map { ":\($0)" } ?? "") }
        return "\(location): \(description)"
    }
}

/// A schedule that cannot be used, with every problem found (not just the first).
public struct ScheduleError: Error, Sendable, CustomStringConvertible {
    public var file: String
    public var problems: [ScheduleProblem]

    public init(file: String, problems: [ScheduleProblem]) {
        self.file = file
        self.problems = problems
    }

    public var errors: [ScheduleProblem] { problems.filter { $0.severity == .error } }

    public var description: String {
        problems.map { $0.formatted(file: file) }.joined(separator: "\n")
    }
}
