import Foundation

/// A listing of one ledger's batches on the API, and what it says about a period about to
/// be generated. The API has no idempotency key, so this listing is the only defence
/// against generating a period twice when the journal and the server disagree (a journal
/// restored from a backup, a period generated in the Mangrove app): no POST goes out
/// unless a listing clears its period (`LookBeforeFire`).
public struct LedgerBatches: Sendable, Equatable {
    /// One batch as the check needs it: its id and the instants it spans (`end` is the
    /// batch's `end_time`, the last second it covers).
    public struct Span: Sendable, Hashable {
        public var id: String
        public var start: Date
        public var end: Date

        public init(id: String, start: Date, end: Date) {
            self.id = id
            self.start = start
            self.end = end
        }
    }

    /// When the listing was requested: everything created before this instant is in it.
    public var takenAt: Date
    /// Sorted by start.
    public private(set) var spans: [Span]
    /// The longest span, so a lookup can start from a binary search.
    private var longest: TimeInterval

    public init(takenAt: Date, spans: [Span]) {
        self.takenAt = takenAt
        self.spans = spans.sorted { ($0.start, $0.id) < ($1.start, $1.id) }
        self.longest = spans.map { $0.end.timeIntervalSince($0.start) }.max() ?? 0
    }

    /// Parses the API's `(id, start_time, end_time)` triples. A batch without a readable
    /// `start_time` or `end_time` makes the whole listing unusable: the check cannot say
    /// which period it belongs to, so nothing may be fired on its strength.
    public static func parse(
        _ batches: [(id: String, start: String?, end: String?)], takenAt: Date
    ) -> Result<LedgerBatches, ListingProblem> {
        var spans: [Span] = []
        spans.reserveCapacity(batches.count)
        for b in batches {
            guard let startText = b.start, let start = UTCTimestamp.parse(startText) else {
                return .failure(ListingProblem(message: "batch \(b.id) has \(b.start.map { "an unreadable start_time \"\($0)\"" } ?? "no start_time")"))
            }
            guard let endText = b.end, let end = UTCTimestamp.parse(endText) else {
                return .failure(ListingProblem(message: "batch \(b.id) has \(b.end.map { "an unreadable end_time \"\($0)\"" } ?? "no end_time")"))
            }
            spans.append(Span(id: b.id, start: start, end: max(start, end)))
        }
        return .success(LedgerBatches(takenAt: takenAt, spans: spans))
    }

    /// What this listing says about `period`.
    public func verdict(for period: Period) -> PeriodVerdict {
        var inside: [String] = []
        // No span starting before this can reach the period.
        let earliest = period.start.addingTimeInterval(-longest)
        var lo = 0, hi = spans.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if spans[mid].start < earliest { lo = mid + 1 } else { hi = mid }
        }
        for span in spans[lo...] {
            if span.start >= period.end { break }
            // `end` is the batch's last second: it overlaps the period when it reaches past the start.
            guard span.end >= period.start else { continue }
            if span.start >= period.start, span.end < period.end {
                inside.append(span.id)
            } else {
                return .conflict(span)
            }
        }
        return inside.isEmpty ? .clear : .found(batchIDs: inside.sorted())
    }
}

/// What a listing of the ledger's batches says about one period.
public enum PeriodVerdict: Sendable, Hashable {
    /// No batch starts inside or overlaps the period: it may be generated.
    case clear
    /// The period already has batches: record them, never generate it again.
    case found(batchIDs: [String])
    /// A batch only partly overlaps the period (another cadence or time zone was used):
    /// generating it could double-count, so the ledger is held for an operator.
    case conflict(LedgerBatches.Span)
}

/// Why a listing cannot be used.
public struct ListingProblem: Error, Sendable, Hashable, CustomStringConvertible {
    public var message: String
    public init(message: String) { self.message = message }
    public var description: String { message }
}

/// The rule that gates every POST: a period is fired only on the strength of a listing that
/// was requested after the period's last POST (so the outcome of that POST is in it) and
/// not longer ago than `maxAge` (so a generation made elsewhere since is unlikely to be
/// missed). Any other listing is stale and a new one must be asked for first.
public enum LookBeforeFire {
    public static func isFresh(_ listing: LedgerBatches?, lastPostAt: Date?, now: Date, maxAge: Duration) -> Bool {
        guard let listing else { return false }
        // At the same instant as the POST is not after it: the listing may have been first.
        if let lastPostAt, listing.takenAt <= lastPostAt { return false }
        if listing.takenAt > now { return false }
        return now.timeIntervalSince(listing.takenAt) <= maxAge.seconds
    }

    /// The oldest `created_at` a listing must reach back to when it is made to clear
    /// periods starting at `earliestStart`: a batch is created after the start of what it
    /// covers, so older pages cannot hold a batch for these periods. A margin of 35 days
    /// keeps batches generated early for a period (before its end) in view.
    public static func createdSince(earliestStart: Date) -> Date {
        earliestStart.addingTimeInterval(-35 * 86_400)
    }
}
