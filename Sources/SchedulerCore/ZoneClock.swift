import Foundation

/// Conversions between UTC instants and local wall-clock seconds in one IANA zone,
/// resolving DST gaps (a local time that never happened maps to the first instant after
/// the jump) and overlaps (a local time that happened twice maps to the earlier one).
struct ZoneClock: Sendable {
    let timeZone: TimeZone

    func offset(atUTC t: Int64) -> Int64 {
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
