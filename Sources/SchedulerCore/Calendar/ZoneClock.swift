import Foundation
import Synchronization

/// Conversions between UTC instants and local wall-clock seconds in one IANA zone,
/// resolving DST gaps (a local time that never happened maps to the first instant after
/// the jump) and overlaps (a local time that happened twice maps to the earlier one).
struct ZoneClock: Sendable {
    let timeZone: TimeZone

    func offset(atUTC t: Int64) -> Int64 {
        let bucket = floorDiv(t, ZoneOffsetCache.bucketSeconds)
        let zone = timeZone.identifier
        if let cached = ZoneOffsetCache.shared.lookup(zone: zone, bucket: bucket) { return cached }
        // Offsets change at most twice a year: one that is the same at both ends of a
        // 15-minute bucket holds for all of it.
        let first = bucket * ZoneOffsetCache.bucketSeconds
        let a = rawOffset(atUTC: first)
        let b = rawOffset(atUTC: first + ZoneOffsetCache.bucketSeconds - 1)
        if a == b {
            ZoneOffsetCache.shared.store(zone: zone, bucket: bucket, offset: a)
            return a
        }
        return rawOffset(atUTC: t)
    }

    private func rawOffset(atUTC t: Int64) -> Int64 {
        Int64(timeZone.secondsFromGMT(for: Date(timeIntervalSince1970: TimeInterval(t))))
    }

    /// Local wall-clock seconds since 1970-01-01T00:00 local.
    func local(_ t: Int64) -> Int64 { t + offset(atUTC: t) }

    /// The earliest UTC instant whose local time is `local`, or, inside a DST gap, the
    /// first instant after the gap.
    func utc(forLocal local: Int64) -> Int64 {
        let candidates = [
            local - offset(atUTC: local - 86_400),
            local - offset(atUTC: local),
            local - offset(atUTC: local + 86_400),
        ]
        if let exact = candidates.filter({ self.local($0) == local }).min() {
            return exact
        }
        // In a gap: binary-search the first instant whose local time is past `local`.
        var lo = candidates.min()! - 86_400
        var hi = candidates.max()! + 86_400
        while lo < hi {
            let mid = lo + (hi - lo) / 2
            if self.local(mid) >= local { hi = mid } else { lo = mid + 1 }
        }
        return lo
    }
}

/// UTC offsets by zone and 15-minute bucket, shared by every ledger in the same zone:
/// `TimeZone.secondsFromGMT` takes a lock and asks ICU, and start-up otherwise asks it
/// several times for every period of every ledger. Bounded: a zone's table is dropped
/// when it grows past `limit` buckets.
final class ZoneOffsetCache: Sendable {
    static let shared = ZoneOffsetCache()
    static let bucketSeconds: Int64 = 900
    static let limit = 200_000

    private let table = Mutex<[String: [Int64: Int32]]>([:])

    func lookup(zone: String, bucket: Int64) -> Int64? {
        table.withLock { $0[zone]?[bucket] }.map(Int64.init)
    }

    func store(zone: String, bucket: Int64, offset: Int64) {
        table.withLock { t in
            if (t[zone]?.count ?? 0) >= Self.limit { t[zone] = [:] }
            t[zone, default: [:]][bucket] = Int32(truncatingIfNeeded: offset)
        }
    }
}
