import Foundation

/// The one-line `STATUS=` text that `systemctl status` shows for the daemon.
///
/// Pure so the wording is tested and stays stable for operators:
///
/// | ledgers | in flight | failures | next                        | text |
/// |---------|-----------|----------|-----------------------------|------|
/// | 12      | 3         | 0        | lgr_abc at 2026-12-01 06:00 | `12 ledgers · 3 in flight · next lgr_abc 2026-12-01 06:00 UTC` |
/// | 12      | 0         | 2        | lgr_abc at 2026-12-01 06:00 | `12 ledgers · 2 failed · next lgr_abc 2026-12-01 06:00 UTC` |
/// | 1       | 0         | 0        | none                        | `1 ledger · idle` |
/// | 3 (1 held) | 0      | 0        | lgr_x at 2026-12-01 06:05   | `3 ledgers · 1 held · next lgr_x 2026-12-01 06:05 UTC` |
/// | 4       | 2         | 0        | none                        | `4 ledgers · 2 in flight · nothing else scheduled` |
/// | 3 (1 paused, 2 overdue) | 0 | 0 | lgr_x at 2026-12-01 06:05 | `3 ledgers · 1 paused · 2 overdue · next lgr_x 2026-12-01 06:05 UTC` |
///
/// The words are the README's: `in flight`, `held`, `paused`, `overdue`, `failed`.
public enum StatusLine {
    public static func format(
        ledgers: Int,
        inFlight: Int,
        failures: Int,
        held: Int = 0,
        paused: Int = 0,
        overdue: Int = 0,
        next: (ledgerID: String, at: Date)?
    ) -> String {
        var parts = [ledgers == 1 ? "1 ledger" : "\(ledgers) ledgers"]
        if inFlight > 0 { parts.append("\(inFlight) in flight") }
        if held > 0 { parts.append("\(held) held") }
        if paused > 0 { parts.append("\(paused) paused") }
        if overdue > 0 { parts.append("\(overdue) overdue") }
        if failures > 0 { parts.append("\(failures) failed") }
        if let next {
            parts.append("next \(next.ledgerID) \(utcMinute(next.at)) UTC")
        } else {
            parts.append(inFlight > 0 ? "nothing else scheduled" : "idle")
        }
        return parts.joined(separator: " · ")
    }

    /// `yyyy-MM-dd HH:mm` in UTC, independent of locale and the host time zone.
    static func utcMinute(_ date: Date) -> String {
        let text = UTCTimestamp.format(Date(timeIntervalSince1970: date.timeIntervalSince1970.rounded(.down)))
        return String(text.prefix(16)).replacingOccurrences(of: "T", with: " ")
    }
}
