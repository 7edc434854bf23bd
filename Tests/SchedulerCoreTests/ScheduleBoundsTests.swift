import Foundation
import Testing
import SchedulerCore

/// Values that decode but would make the daemon useless are refused with their JSON path:
/// every duration has a floor and a ceiling, and `first_period_start` cannot be before 2000.
@Suite("ScheduleDecoder: sane bounds on durations and dates")
struct ScheduleBoundsTests {
    static let now = instant("2026-11-23T12:00:00Z")

    static func schedule(api: String = "", top: String = "", ledger: String = "") -> String {
        """
        {
          "api": {"base_url": "https://app.gomangrove.com/api/v1"\(api.isEmpty ? "" : ", " + api)},\(top.isEmpty ? "" : "\n  " + top + ",")
          "ledgers": [{"id": "lgr_abc123def456", "cadence": "monthly", "first_period_start": "2025-01-01"\(ledger.isEmpty ? "" : ", " + ledger)}]
        }
        """
    }

    static func errors(_ text: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ScheduleProblem] {
        do {
            _ = try ScheduleDecoder.decode(text, file: "s.json", now: now)
            Issue.record("decoded although it should fail", sourceLocation: sourceLocation)
            return []
        } catch {
            return error.errors
        }
    }

    @Test("out-of-range durations are errors naming the path, the value and both bounds", arguments: [
        (#""connect_timeout": "PT0.0000001S""#, "", "api.connect_timeout", "\"PT0.0000001S\" is too short; expected at least PT0.1S (at most PT5M)"),
        (#""connect_timeout": "PT6M""#, "", "api.connect_timeout", "\"PT6M\" is too long; expected at most PT5M (at least PT0.1S)"),
        (#""request_timeout": "PT0.5S""#, "", "api.request_timeout", "\"PT0.5S\" is too short; expected at least PT1S (at most PT1H)"),
        (#""request_timeout": "P1D""#, "", "api.request_timeout", "\"P1D\" is too long; expected at most PT1H (at least PT1S)"),
        ("", #""polling": {"first_poll_after": "PT0.01S"}"#, "polling.first_poll_after", "too short; expected at least PT0.1S"),
        ("", #""polling": {"max_interval": "P2D"}"#, "polling.max_interval", "too long; expected at most P1D"),
        ("", #""polling": {"task_timeout": "PT10S"}"#, "polling.task_timeout", "too short; expected at least PT1M"),
        ("", #""polling": {"task_timeout": "P8D"}"#, "polling.task_timeout", "too long; expected at most P7D"),
        ("", #""recovery": {"failed_task_backoff": "P30D"}"#, "recovery.failed_task_backoff", "too long; expected at most P7D"),
        ("", #""recovery": {"reconcile_after": "PT0.1S"}"#, "recovery.reconcile_after", "too short; expected at least PT1S"),
        ("", #""recovery": {"reconcile_window": "PT0.5S"}"#, "recovery.reconcile_window", "too short; expected at least PT1S"),
        ("", #""recovery": {"unavailable_ledger_backoff": "P2D"}"#, "recovery.unavailable_ledger_backoff", "too long; expected at most P1D"),
        ("", #""recovery": {"empty_preview_recheck": "PT1S"}"#, "recovery.empty_preview_recheck", "too short; expected at least PT1M"),
        ("", #""defaults": {"settle_delay": "P2M"}"#, "defaults.settle_delay", "\"P2M\" is too long; expected at most P31D"),
    ])
    func durationBounds(api: String, top: String, path: String, message: String) {
        let found = Self.errors(Self.schedule(api: api, top: top))
        #expect(found.contains { $0.path == path && $0.message.contains(message) && $0.line != nil }, "\(found)")
    }

    @Test("a ledger's settle_delay above P31D is an error at its path")
    func settleDelay() {
        let found = Self.errors(Self.schedule(ledger: #""settle_delay": "P40D""#))
        #expect(found.map(\.path) == ["ledgers[0].settle_delay"], "\(found)")
    }

    @Test("the bounds themselves are accepted")
    func boundsAccepted() throws {
        let text = Self.schedule(
            api: #""connect_timeout": "PT0.1S", "request_timeout": "PT1H""#,
            top: #""polling": {"first_poll_after": "PT0.1S", "max_interval": "P1D", "task_timeout": "P7D"}, "recovery": {"reconcile_after": "PT1S", "reconcile_window": "PT1M", "failed_task_backoff": "P7D", "unavailable_ledger_backoff": "P1D", "empty_preview_recheck": "PT1M"}"#,
            ledger: #""settle_delay": "P31D""#)
        let (schedule, warnings) = try ScheduleDecoder.decode(text, file: "s.json", now: Self.now)
        #expect(schedule.api.connectTimeout == .milliseconds(100))
        #expect(warnings.isEmpty, "\(warnings)")
    }

    @Test("first_period_start before 2000 is an error, in a ledger and in defaults", arguments: [
        (#""first_period_start": "0001-01-01""#, "ledgers[0].first_period_start"),
        (#""first_period_start": "1999-12-31T23:59:59Z""#, "ledgers[0].first_period_start"),
    ])
    func datesBefore2000(ledger: String, path: String) {
        let text = Self.schedule().replacingOccurrences(of: #""first_period_start": "2025-01-01""#, with: ledger)
        let found = Self.errors(text)
        #expect(found.count == 1)
        #expect(found.first?.path == path)
        #expect(found.first?.message.contains("is before 2000-01-01") == true, "\(found)")
    }

    @Test("a default first_period_start before 2000 is reported once, at defaults")
    func defaultBefore2000() {
        let text = """
            {"api": {"base_url": "https://app.gomangrove.com/api/v1"}, "defaults": {"first_period_start": "1970-01-01"},
             "ledgers": [{"id": "lgr_a", "cadence": "monthly"}]}
            """
        let found = Self.errors(text)
        #expect(found.map(\.path) == ["defaults.first_period_start"], "\(found)")
    }

    @Test("2000-01-01 is accepted; more than 5 years back is a warning that counts the periods")
    func catchUpWarning() throws {
        let text = Self.schedule().replacingOccurrences(of: "2025-01-01", with: "2000-01-01")
        let (_, warnings) = try ScheduleDecoder.decode(text, file: "s.json", now: Self.now)
        #expect(warnings.count == 1)
        let warning = try #require(warnings.first)
        #expect(warning.path == "ledgers[0].first_period_start")
        // Jan 2000 … Oct 2026 closed by 2026-11-23: 26 × 12 + 10 months.
        #expect(warning.message == "2000-01-01T00:00:00.000Z is 26 years back (more than 5): 322 monthly periods would be generated, oldest first, before the ledger is up to date", "\(warning.message)")
        // Without a clock (pure decoding) no warning is computed.
        #expect(try ScheduleDecoder.decode(text, file: "s.json").warnings.isEmpty)
        // Four years back: no warning.
        let recent = Self.schedule().replacingOccurrences(of: "2025-01-01", with: "2022-12-01")
        #expect(try ScheduleDecoder.decode(recent, file: "s.json", now: Self.now).warnings.isEmpty)
    }

    @Test("an hourly ledger from 2000 counts its periods too (and quickly)")
    func hourlyCount() throws {
        let text = Self.schedule().replacingOccurrences(of: #""cadence": "monthly", "first_period_start": "2025-01-01""#, with: #""cadence": "hourly", "first_period_start": "2000-01-01""#)
        let (_, warnings) = try ScheduleDecoder.decode(text, file: "s.json", now: Self.now)
        let hours = Int(Self.now.timeIntervalSince(instant("2000-01-01T00:00:00Z")) / 3600)
        #expect(warnings.first?.message.contains("\(hours) hourly periods") == true, "\(warnings)")
    }

    @Test("isoText spells bounds as the schedule does")
    func isoText() {
        #expect(ScheduleBounds.isoText(.milliseconds(100)) == "PT0.1S")
        #expect(ScheduleBounds.isoText(.seconds(300)) == "PT5M")
        #expect(ScheduleBounds.isoText(.seconds(3600)) == "PT1H")
        #expect(ScheduleBounds.isoText(.seconds(7 * 86_400)) == "P7D")
        #expect(ScheduleBounds.isoText(.seconds(90)) == "PT90S")
    }
}
