import Foundation

/// `retry --from DATE --to DATE [--only failed,ambiguous,skipped]`: which journaled
/// periods of one ledger get one more generation. Dates are in the ledger's time zone and
/// both ends are inclusive (`--to 2025-03-31` includes periods starting that day). A
/// `completed` period is never selected, whatever `--only` says.
public struct RetryRange: Sendable, Equatable {
    /// Periods to request, oldest first.
    public var selected: [PeriodKey]
    /// Completed periods in the range: never generated again.
    public var completed: Int
    /// Periods in the range in another state (pending, in flight, or a terminal state
    /// excluded by `--only`), by state.
    public var notSelected: [String: Int]

    /// The events `--only` may name.
    public static let retryable: [JournalEvent] = [.failed, .ambiguous, .skipped]

    public static func select(
        records: LedgerRecords, ledgerID: String, from: Date, toExclusive: Date, only: Set<JournalEvent>
    ) -> RetryRange {
        var selected: [PeriodKey] = []
        var completed = 0
        var other: [String: Int] = [:]
        for (start, record) in records.all {
            guard let s = UTCTimestamp.parse(start), s >= from, s < toExclusive else { continue }
            if record.lastEvent == .completed {
                completed += 1
            } else if only.contains(record.lastEvent), Self.retryable.contains(record.lastEvent) {
                selected.append(PeriodKey(ledgerID: ledgerID, periodStart: start))
            } else {
                other[PeriodStateName.of(record), default: 0] += 1
            }
        }
        return RetryRange(selected: selected.sorted(), completed: completed, notSelected: other)
    }

    /// The instant `--from`/`--to` names in `zone`: a date (`2025-03-01`) or date-time.
    /// For `--to`, a plain date means the end of that day (the next midnight).
    public static func bound(_ text: String, zone: TimeZone, isEnd: Bool) -> Date? {
        guard let instant = ScheduleDecoder.parseStart(text, zone: zone) else { return nil }
        guard isEnd else { return instant }
        if text.count == 10 {
            var calendar = Calendar(identifier: .gregorian)
            calendar.timeZone = zone
            return calendar.date(byAdding: .day, value: 1, to: instant)
        }
        return instant.addingTimeInterval(0.001)
    }

    /// `--only failed,ambiguous`: the events, or nil with the word that is not one of them.
    public static func parseOnly(_ text: String) -> (events: Set<JournalEvent>?, bad: String?) {
        var result: Set<JournalEvent> = []
        for word in text.split(separator: ",").map({ $0.trimmingCharacters(in: .whitespaces) }) where !word.isEmpty {
            guard let e = JournalEvent(rawValue: word), retryable.contains(e) else { return (nil, word) }
            result.insert(e)
        }
        return result.isEmpty ? (nil, text) : (result, nil)
    }
}
