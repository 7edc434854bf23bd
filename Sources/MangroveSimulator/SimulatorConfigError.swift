/// Why a simulator configuration could not be used, naming the file and the key
/// so the operator can fix it (`sim.json: task_failure_rate: 1.5 is outside 0...1`).
public struct SimulatorConfigError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file, or nil for a configuration built in code.
    public var path: String?
    /// One line per problem, each starting with the JSON key it concerns.
    public var problems: [String]

    public init(path: String?, problems: [String]) {
        self.path = path
        self.problems = problems
    }

    public var description: String {
        let prefix = path.map { "\($0): " } ?? ""
        return problems.map { prefix + $0 }.joined(separator: "\n")
    }
}
