import Foundation
import Testing
import SchedulerCore

// Fixed instants and zones for tests: nothing here reads the wall clock.

/// `2025-03-31T22:00:00Z` (or with offset / millis) as a `Date`; records an issue if the
/// test's own literal is malformed.
func instant(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> Date {
    guard let date = UTCTimestamp.parse(text) else {
        Issue.record("test literal \"\(text)\" is not a timestamp", sourceLocation: sourceLocation)
        return Date(timeIntervalSince1970: 0)
    }
    return date
}

/// An IANA zone by name; records an issue when this machine's tz database lacks it.
func zone(_ id: String, sourceLocation: SourceLocation = #_sourceLocation) -> TimeZone {
    guard let tz = TimeZone(identifier: id) else {
        Issue.record("time zone \(id) is unknown on this machine", sourceLocation: sourceLocation)
        return TimeZone(secondsFromGMT: 0) ?? .current
    }
    return tz
}

/// The UTC string of a date, for readable expectations.
func utcString(_ date: Date) -> String { UTCTimestamp.format(date) }

/// A Gregorian calendar in `tz`, for cross-checks against Foundation.
func gregorian(_ tz: TimeZone) -> Calendar {
    var calendar = Calendar(identifier: .gregorian)
    calendar.timeZone = tz
    return calendar
}
