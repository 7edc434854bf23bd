/// How often a ledger's accounting periods close. Periods are calendar-aligned in the
/// ledger's time zone: `weekly` uses ISO weeks starting Monday, `quarterly` starts in
/// January, April, July and October.
public enum Cadence: String, Sendable, Hashable, Codable, CaseIterable, CustomStringConvertible {
    case hourly, daily, weekly, monthly, quarterly, yearly

    public var description: String { rawValue }

    /// The names accepted in a schedule, for error messages.
    public static var expectedList: String { allCases.map(\.rawValue).joined(separator: ", ") }
}
