import Foundation

/// One accounting period: `[start, end)`, where `end` is the next period's start.
/// The API's request strings follow its own convention: `end_time` is one second
/// before the next period (`2025-03-31T23:59:59.000Z`).
public struct Period: Sendable, Hashable, Comparable, CustomStringConvertible {
    public let start: Date
    public let end: Date

    public init(start: Date, end: Date) {
        self.start = start
        self.end = end
    }

    /// `start_time` of the request body and `period_start` of the journal.
    public var startTime: String { UTCTimestamp.format(start) }
    /// `end_time` of the request body and `period_end` of the journal: next start − 1 s.
    public var endTime: String { UTCTimestamp.format(end.addingTimeInterval(-1)) }

    public var length: TimeInterval { end.timeIntervalSince(start) }

    public static func < (lhs: Period, rhs: Period) -> Bool { lhs.start < rhs.start }

    public var description: String { "\(startTime)…\(endTime)" }
}
