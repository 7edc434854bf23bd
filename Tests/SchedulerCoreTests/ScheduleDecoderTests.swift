import Foundation
import Testing
import SchedulerCore

@Suite("ScheduleDecoder: every problem, with its JSON path")
struct ScheduleDecoderTests {
    static let file = "schedule.json"

    /// The problems of a schedule that must not decode (records an issue if it does).
    static func problems(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) -> [ScheduleProblem] {
        do {
            let decoded = try ScheduleDecoder.decode(json, file: file)
            Issue.record("decoded although it should fail: \(decoded.schedule)", sourceLocation: sourceLocation)
            return []
        } catch {
            #expect(error.file == file, sourceLocation: sourceLocation)
            return error.problems
        }
    }

    static func errorLines(_ json: String, sourceLocation: SourceLocation = #_sourceLocation) -> [String] {
        problems(json, sourceLocation: sourceLocation).filter { $0.severity == .error }.map(\.description)
    }

    /// A schedule with one ledger whose fields are `ledger` (JSON members, no braces).
    static func oneLedger(_ ledger: String, extra: String = "") -> String {
        """
        {
          "api": {"base_url": "https://app.gomangrove.com/api/v1"},\(extra)
          "ledgers": [{\(ledger)}]
        }
        """
    }

    static let okLedger = #""id": "lgr_abc123def456", "cadence": "monthly", "first_period_start": "2025-01-01""#

    // MARK: - Valid schedules

    @Test("a full schedule decodes, defaults filled in and overridden per ledger")
    func fullSchedule() throws {
        let json = """
        {
          "$schema": "https://example.com/mangrove-scheduler.schema.json",
          "comment": "production ledgers",
          "api": {
            "base_url": "https://app.gomangrove.com/api/v1",
            "token_file": "/etc/mangrove-scheduler/api-token",
            "connect_timeout": "PT5S",
            "request_timeout": "PT1M"
          },
          "journal_path": "/var/lib/mangrove-scheduler/journal.jsonl",
          "defaults": {
            "cadence": "monthly", "time_zone": "Europe/Berlin", "settle_delay": "PT6H",
            "preview": true, "first_period_start": "2025-01-01"
          },
          "limits": {"max_in_flight": 2, "requests_per_second": 2.5},
          "polling": {"first_poll_after": "PT3S", "max_interval": "PT2M", "task_timeout": "PT12H"},
          "recovery": {
            "failed_task_retries": 3, "failed_task_backoff": "PT10M", "reconcile_after": "PT1M",
            "reconcile_window": "PT1H", "unavailable_ledger_backoff": "PT10M",
            "empty_preview_recheck": "PT2H", "empty_preview_limit": 5
          },
          "ledgers": [
            {"id": "lgr_abc123def456", "comment": "inherits everything"},
            {"id": "lgr_second", "name": "Second farm", "cadence": "quarterly", "time_zone": "America/New_York",
             "first_period_start": "2024-10-01T00:00:00", "settle_delay": "P1D", "preview": false},
            {"id": "lgr_Third_3", "cadence": "hourly", "time_zone": "UTC", "first_period_start": "2025-06-01T12:00:00Z"}
          ]
        }
        """
        let (schedule, warnings) = try ScheduleDecoder.decode(json, file: Self.file)
        #expect(warnings.isEmpty, "\(warnings)")
        #expect(schedule.api == APISettings(baseURL: "https://app.gomangrove.com/api/v1", tokenFile: "/etc/mangrove-scheduler/api-token",
                                            connectTimeout: .seconds(5), requestTimeout: .seconds(60)))
        #expect(schedule.journalPath == "/var/lib/mangrove-scheduler/journal.jsonl")
        #expect(schedule.limits == Limits(maxInFlight: 2, requestsPerSecond: 2.5))
        #expect(schedule.polling == PollingPolicy(firstPollAfter: .seconds(3), maxInterval: .seconds(120), taskTimeout: .seconds(12 * 3600)))
        #expect(schedule.recovery == RecoveryPolicy(
            failedTaskRetries: 3, failedTaskBackoff: .seconds(600), reconcileAfter: .seconds(60), reconcileWindow: .seconds(3600),
            unavailableLedgerBackoff: .seconds(600), emptyPreviewRecheck: .seconds(7200), emptyPreviewLimit: 5))
        try #require(schedule.ledgers.count == 3)

        let first = schedule.ledgers[0]
        #expect(first.id == "lgr_abc123def456")
        #expect(first.name == nil)
        #expect(first.cadence == .monthly)
        #expect(first.timeZone.identifier == "Europe/Berlin")
        #expect(utcString(first.firstPeriodStart) == "2024-12-31T23:00:00.000Z")
        #expect(first.settleDelay.text == "PT6H")
        #expect(first.preview)
        #expect(first.firstPeriod.startTime == "2024-12-31T23:00:00.000Z")

        let second = schedule.ledgers[1]
        #expect(second.name == "Second farm")
        #expect(second.cadence == .quarterly)
        #expect(second.timeZone.identifier == "America/New_York")
        #expect(utcString(second.firstPeriodStart) == "2024-10-01T04:00:00.000Z")
        #expect(second.settleDelay.days == 1)
        #expect(!second.preview)

        let third = schedule.ledgers[2]
        #expect(third.cadence == .hourly)
        #expect(third.timeZone.secondsFromGMT(for: third.firstPeriodStart) == 0)
        #expect(utcString(third.firstPeriodStart) == "2025-06-01T12:00:00.000Z")
        #expect(third.settleDelay.text == "PT6H")
        #expect(third.preview)
    }

    @Test("a minimal schedule gets every default")
    func minimal() throws {
        let (schedule, warnings) = try ScheduleDecoder.decode(Self.oneLedger(Self.okLedger), file: Self.file)
        #expect(warnings.isEmpty)
        #expect(schedule.journalPath == Schedule.defaultJournalPath)
        #expect(schedule.api == APISettings(baseURL: "https://app.gomangrove.com/api/v1"))
        #expect(schedule.api.tokenFile == nil)
        #expect(schedule.limits == Limits())
        #expect(schedule.polling == PollingPolicy())
        #expect(schedule.recovery == RecoveryPolicy())
        let ledger = try #require(schedule.ledgers.first)
        #expect(ledger == LedgerSchedule(id: "lgr_abc123def456", cadence: .monthly, firstPeriodStart: instant("2025-01-01T00:00:00Z")))
        #expect(ledger.settleDelay.isZero)
        #expect(!ledger.preview)
    }

    @Test("every cadence name is accepted", arguments: Cadence.allCases)
    func cadences(_ cadence: Cadence) throws {
        let json = Self.oneLedger(#""id": "lgr_a", "cadence": "\#(cadence.rawValue)", "first_period_start": "2024-01-01""#)
        let (schedule, _) = try ScheduleDecoder.decode(json, file: Self.file)
        #expect(schedule.ledgers.first?.cadence == cadence)
    }

    @Test("UTC spellings", arguments: ["UTC", "GMT", "Etc/UTC"])
    func utcNames(_ name: String) throws {
        let json = Self.oneLedger(#""id": "lgr_a", "cadence": "daily", "first_period_start": "2024-01-01", "time_zone": "\#(name)""#)
        let (schedule, _) = try ScheduleDecoder.decode(json, file: Self.file)
        #expect(schedule.ledgers.first?.timeZone.secondsFromGMT(for: instant("2024-07-01T00:00:00Z")) == 0)
    }

    @Test("IANA names are accepted even where ICU's list lacks them",
          arguments: ["Asia/Kolkata", "Asia/Calcutta", "Europe/Kyiv", "US/Eastern", "America/Argentina/Buenos_Aires", "Etc/GMT+2", "Australia/Lord_Howe"])
    func ianaNames(_ name: String) throws {
        let json = Self.oneLedger(#""id": "lgr_a", "cadence": "daily", "first_period_start": "2024-01-01", "time_zone": "\#(name)""#)
        let (schedule, _) = try ScheduleDecoder.decode(json, file: Self.file)
        #expect(schedule.ledgers.first?.timeZone.identifier == name)
    }

    @Test("an empty ledger list only warns")
    func emptyLedgers() throws {
        let json = #"{"api": {"base_url": "https://app.gomangrove.com/api/v1"}, "ledgers": []}"#
        let (schedule, warnings) = try ScheduleDecoder.decode(json, file: Self.file)
        #expect(schedule.ledgers.isEmpty)
        #expect(warnings.map(\.description) == ["warning: ledgers: is empty; the daemon will have nothing to do"])
    }

    // MARK: - Invalid JSON

    @Test("invalid JSON is reported with line and column")
    func invalidJSON() {
        let json = "{\n  \"api\": {\"base_url\": \"https://x.example.com\"},\n  \"ledgers\": [,]\n}"
        let problems = Self.problems(json)
        #expect(problems.count == 1)
        let p = problems.first
        #expect(p?.line == 3)
        #expect(p?.column == 15)
        #expect(p?.path == "")
        #expect(p?.description == "invalid JSON: expected a value, found ','")
        #expect(p?.formatted(file: Self.file) == "schedule.json:3:15: invalid JSON: expected a value, found ','")
    }

    @Test("the document must be an object")
    func rootNotObject() {
        #expect(Self.errorLines("[1, 2]") == ["expected an object, found an array"])
    }

    // MARK: - Missing keys

    @Test("missing keys name their path", arguments: [
        (#"{"ledgers": []}"#, "api: missing; expected an object with base_url"),
        (#"{"api": {}, "ledgers": []}"#, "api.base_url: missing; expected the API's base URL"),
        (#"{"api": {"base_url": "https://app.gomangrove.com/api/v1"}}"#, "ledgers: missing; expected an array of ledgers"),
        (oneLedger(#""cadence": "daily", "first_period_start": "2025-01-01""#), "ledgers[0].id: missing; expected a ledger id of the form lgr_"),
        (oneLedger(#""id": "lgr_a", "first_period_start": "2025-01-01""#),
         "ledgers[0].cadence: missing; expected one of hourly, daily, weekly, monthly, quarterly, yearly (here or in defaults)"),
        (oneLedger(#""id": "lgr_a", "cadence": "daily""#), "ledgers[0].first_period_start: missing; expected a date (2025-01-01) or date-time"),
    ])
    func missing(_ json: String, _ message: String) {
        let errors = Self.errorLines(json)
        #expect(errors.count == 1, "\(errors)")
        #expect(errors.first?.hasPrefix(message) == true, "\(errors)")
    }

    // MARK: - Bad values

    @Test("unknown cadence")
    func unknownCadence() {
        let problems = Self.problems(Self.oneLedger(#""id": "lgr_a", "first_period_start": "2025-01-01", "cadence": "montly""#))
        #expect(problems.count == 1)
        let p = problems.first
        #expect(p?.description == #"ledgers[0].cadence: unknown cadence "montly"; expected one of hourly, daily, weekly, monthly, quarterly, yearly (did you mean "monthly"?)"#)
        // Points at the value: line 3, after `"ledgers": [{"id": "lgr_a", "first_period_start": "2025-01-01", "cadence": `.
        #expect(p?.line == 3)
        #expect(p?.column == 78)
        #expect(p?.formatted(file: "s.json").hasPrefix("s.json:3:78: ledgers[0].cadence: unknown cadence \"montly\"") == true)
    }

    @Test("a cadence far from any name gets no suggestion")
    func cadenceNoSuggestion() {
        let errors = Self.errorLines(Self.oneLedger(#""id": "lgr_a", "first_period_start": "2025-01-01", "cadence": "fortnightly""#))
        #expect(errors == [#"ledgers[0].cadence: unknown cadence "fortnightly"; expected one of hourly, daily, weekly, monthly, quarterly, yearly"#])
    }

    @Test("unknown IANA zones, abbreviations and offsets are refused", arguments: [
        ("Europe/Berlim", #" (did you mean "Europe/Berlin"?)"#), ("Mars/Olympus_Mons", nil), ("GMT+2", nil), ("+02:00", nil),
        ("europe/berlin", nil), ("", nil), ("CET", nil), ("EST", nil), ("UTC+2", nil), ("Europe/Berlin/", nil),
        ("../zoneinfo/Europe/Berlin", nil), ("/usr/share/zoneinfo/Europe/Berlin", nil),
    ])
    func unknownZone(_ name: String, _ suggestion: String?) {
        let errors = Self.errorLines(Self.oneLedger(Self.okLedger + #", "time_zone": "\#(name)""#))
        #expect(errors.count == 1, "\(errors)")
        let expected = #"ledgers[0].time_zone: unknown time zone "\#(name)"; expected an IANA name such as Europe/Berlin, America/New_York or UTC"#
        #expect(errors.first?.hasPrefix(expected) == true, "\(errors)")
        if let suggestion {
            #expect(errors.first?.hasSuffix(suggestion) == true, "\(errors)")
        }
    }

    @Test("bad settle delays", arguments: ["6h", "PT", "P1H", "-PT1H", "PT6H30", "6 hours"])
    func badDuration(_ text: String) {
        let errors = Self.errorLines(Self.oneLedger(Self.okLedger + #", "settle_delay": "\#(text)""#))
        #expect(errors == [#"ledgers[0].settle_delay: "\#(text)" is not an ISO 8601 duration (e.g. PT6H, P1D, PT30M)"#])
    }

    @Test("bad dates", arguments: [
        "2025-13-01", "2025-02-29", "2025-02-30", "01/01/2025", "2025-1-1", "2025-01-01T25:00", "2025-01-01T10:60",
        "2025-01-01T10", "2025-01-01T10:00:61", "20250101", "", "next monday", "2025-+1-01", "2025-01-+1", "+025-01-01",
        "2025-01-01T+6:00", "2025-01-01T06:-0", "2025-01-01T06:00:+1", "２０２５-01-01",
    ])
    func badDate(_ text: String) {
        let errors = Self.errorLines(Self.oneLedger(#""id": "lgr_a", "cadence": "daily", "first_period_start": "\#(text)""#))
        #expect(errors == [#"ledgers[0].first_period_start: "\#(text)" is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDThh:mm:ss, optionally with Z or ±hh:mm)"#])
    }

    @Test("ledger ids must be lgr_ followed by letters and digits", arguments: [
        "abc123", "lgr_", "LGR_abc", "lgr-abc", "lgr_has-dash", "lgr_has space", "lgr_ünï", "lgr_" + String(repeating: "a", count: 65), "",
    ])
    func badID(_ id: String) {
        let errors = Self.errorLines(Self.oneLedger(#""id": "\#(id)", "cadence": "daily", "first_period_start": "2025-01-01""#))
        #expect(errors.count == 1)
        #expect(errors.first?.hasPrefix(#"ledgers[0].id: "\#(id)" is not a ledger id; expected "lgr_" followed by letters and digits"#) == true, "\(errors)")
    }

    @Test("good ledger ids", arguments: ["lgr_a", "lgr_abc123def456", "lgr_ABC_123", "lgr_" + String(repeating: "z", count: 64)])
    func goodID(_ id: String) throws {
        let (schedule, _) = try ScheduleDecoder.decode(Self.oneLedger(#""id": "\#(id)", "cadence": "daily", "first_period_start": "2025-01-01""#), file: Self.file)
        #expect(schedule.ledgers.first?.id == id)
    }

    @Test("duplicate ledger ids")
    func duplicateIDs() {
        let json = """
        {"api": {"base_url": "https://app.gomangrove.com/api/v1"}, "ledgers": [
          {"id": "lgr_a", "cadence": "daily", "first_period_start": "2025-01-01"},
          {"id": "lgr_b", "cadence": "daily", "first_period_start": "2025-01-01"},
          {"id": "lgr_a", "cadence": "monthly", "first_period_start": "2025-01-01"}
        ]}
        """
        let problems = Self.problems(json)
        #expect(problems.map(\.description) == [#"ledgers[2].id: duplicate ledger id "lgr_a"; already used by ledgers[0]"#])
        #expect(problems.first?.line == 4)
    }

    // MARK: - Secrets

    @Test("a token in the schedule is refused and never echoed", arguments: [
        (#""api": {"base_url": "https://app.gomangrove.com/api/v1", "token": "sk_live_SECRET"}, "ledgers": []"#, "api.token"),
        (#""api": {"base_url": "https://app.gomangrove.com/api/v1"}, "api_key": "sk_live_SECRET", "ledgers": []"#, "api_key"),
        (#""api": {"base_url": "https://app.gomangrove.com/api/v1", "Authorization": "Bearer sk_live_SECRET"}, "ledgers": []"#, "api.Authorization"),
        (#""api": {"base_url": "https://app.gomangrove.com/api/v1"}, "ledgers": [{"id": "lgr_a", "cadence": "daily", "first_period_start": "2025-01-01", "password": "sk_live_SECRET"}]"#, "ledgers[0].password"),
        (#""api": {"base_url": "https://app.gomangrove.com/api/v1", "bearer_token": 12345}, "ledgers": []"#, "api.bearer_token"),
    ])
    func tokenRefused(_ members: String, _ path: String) {
        let problems = Self.problems("{" + members + "}")
        let errors = problems.filter { $0.severity == .error }
        #expect(errors.count == 1)
        let message = errors.first?.description ?? ""
        #expect(message.hasPrefix("\(path): an API token must not be in the schedule"))
        #expect(message.contains("LoadCredential"))
        #expect(message.contains("token_file"))
        #expect(message.contains("MANGROVE_API_TOKEN"))
        for p in problems {
            #expect(!p.description.contains("SECRET") && !p.description.contains("12345"), "secret echoed: \(p)")
        }
    }

    // MARK: - Unknown and duplicate keys

    @Test("an unknown key is a warning naming the nearest key, and the schedule still loads")
    func unknownKeyWarning() throws {
        let json = """
        {
          "api": {"base_url": "https://app.gomangrove.com/api/v1", "tokn_file": "/x"},
          "jornal_path": "/tmp/j.jsonl",
          "defaults": {"cadence": "daily"},
          "ledgers": [{"id": "lgr_a", "cadance": "weekly", "first_period_start": "2025-01-01", "zzzzzz": 1}]
        }
        """
        let (schedule, warnings) = try ScheduleDecoder.decode(json, file: Self.file)
        #expect(schedule.ledgers.first?.cadence == .daily)
        #expect(schedule.journalPath == Schedule.defaultJournalPath)
        // In file order (line, then column), whatever order they were found in.
        #expect(warnings.map(\.description) == [
            #"warning: api.tokn_file: unknown key "tokn_file" is ignored; did you mean "token_file"?"#,
            #"warning: jornal_path: unknown key "jornal_path" is ignored; did you mean "journal_path"?"#,
            #"warning: ledgers[0].cadance: unknown key "cadance" is ignored; did you mean "cadence"?"#,
            #"warning: ledgers[0].zzzzzz: unknown key "zzzzzz" is ignored; known keys: id, name, cadence, time_zone, first_period_start, settle_delay, preview"#,
        ])
        #expect(warnings.allSatisfy { $0.severity == .warning && $0.line != nil })
        #expect(warnings[2].formatted(file: "s.json") == #"s.json:5:42: warning: ledgers[0].cadance: unknown key "cadance" is ignored; did you mean "cadence"?"#)
    }

    @Test("duplicate JSON keys are errors at the second occurrence")
    func duplicateKeys() {
        let json = """
        {"api": {"base_url": "https://app.gomangrove.com/api/v1"},
         "ledgers": [{"id": "lgr_a", "id": "lgr_b", "cadence": "daily", "first_period_start": "2025-01-01"}],
         "api": {"base_url": "https://other.example.com"}}
        """
        let problems = Self.problems(json)
        #expect(problems.map(\.description) == [
            #"ledgers[0].id: duplicate key "id"; only one is allowed"#,
            #"api: duplicate key "api"; only one is allowed"#,
        ])
        #expect(problems.map(\.line) == [2, 3])
    }

    // MARK: - Types and ranges

    @Test("wrong types say what was expected and found", arguments: [
        (oneLedger(#""id": 5, "cadence": "daily", "first_period_start": "2025-01-01""#), "ledgers[0].id: expected a ledger id of the form lgr_…, found a number"),
        (oneLedger(#""id": "lgr_a", "cadence": ["daily"], "first_period_start": "2025-01-01""#), "ledgers[0].cadence: expected a cadence (hourly, daily, weekly, monthly, quarterly, yearly), found an array"),
        (oneLedger(okLedger + #", "preview": "yes""#), "ledgers[0].preview: expected true or false, found a string"),
        (oneLedger(okLedger + #", "time_zone": null"#), "ledgers[0].time_zone: expected an IANA time zone name (e.g. Europe/Berlin), found null"),
        (oneLedger(okLedger + #", "settle_delay": 6"#), "ledgers[0].settle_delay: expected an ISO 8601 duration (e.g. PT6H), found a number"),
        (oneLedger(#""id": "lgr_a", "cadence": "daily", "first_period_start": 20250101"#), "ledgers[0].first_period_start: expected a date (2025-01-01) or date-time (2025-01-01T00:00:00), found a number"),
        (oneLedger(okLedger + #", "name": false"#), "ledgers[0].name: expected a string, found a boolean"),
        (#"{"api": "https://app.gomangrove.com/api/v1", "ledgers": []}"#, "api: expected an object, found a string"),
        (#"{"api": {"base_url": 1}, "ledgers": []}"#, "api.base_url: expected the API's base URL (e.g. https://app.gomangrove.com/api/v1), found a number"),
        (#"{"api": {"base_url": "ftp://app.gomangrove.com"}, "ledgers": []}"#, #"api.base_url: "ftp://app.gomangrove.com" is not an http(s) URL; expected e.g. https://app.gomangrove.com/api/v1"#),
        (#"{"api": {"base_url": "https://app.gomangrove.com/api/v1"}, "ledgers": {}}"#, "ledgers: expected an array, found an object"),
        (#"{"api": {"base_url": "https://app.gomangrove.com/api/v1"}, "ledgers": ["lgr_a"]}"#, "ledgers[0]: expected an object, found a string"),
        (oneLedger(okLedger, extra: #" "journal_path": 3,"#), "journal_path: expected a file path, found a number"),
        (oneLedger(okLedger, extra: #" "journal_path": "","#), "journal_path: must not be empty"),
        (oneLedger(okLedger, extra: #" "limits": [],"#), "limits: expected an object, found an array"),
        (oneLedger(okLedger, extra: #" "limits": {"max_in_flight": "4"},"#), "limits.max_in_flight: expected a whole number from 1 to 1000, found a string"),
        (oneLedger(okLedger, extra: #" "polling": {"task_timeout": 3600},"#), "polling.task_timeout: expected an ISO 8601 duration (e.g. PT6H), found a number"),
        (oneLedger(okLedger, extra: #" "defaults": {"preview": 1},"#), "defaults.preview: expected true or false, found a number"),
    ])
    func wrongTypes(_ json: String, _ message: String) {
        #expect(Self.errorLines(json) == [message])
    }

    @Test("out-of-range limits and invalid policy durations", arguments: [
        (#""limits": {"max_in_flight": 0}"#, "limits.max_in_flight: 0 is out of range; expected 1 to 1000"),
        (#""limits": {"max_in_flight": 1001}"#, "limits.max_in_flight: 1001 is out of range; expected 1 to 1000"),
        (#""limits": {"max_in_flight": 1.5}"#, "limits.max_in_flight: expected a whole number from 1 to 1000, found a number"),
        (#""limits": {"requests_per_second": 0}"#, "limits.requests_per_second: 0 is out of range; expected 0.1 to 1000"),
        (#""limits": {"requests_per_second": -1}"#, "limits.requests_per_second: -1 is out of range; expected 0.1 to 1000"),
        (#""recovery": {"failed_task_retries": 101}"#, "recovery.failed_task_retries: 101 is out of range; expected 0 to 100"),
        (#""recovery": {"empty_preview_limit": 0}"#, "recovery.empty_preview_limit: 0 is out of range; expected 1 to 10000"),
        (#""polling": {"task_timeout": "PT0S"}"#, #"polling.task_timeout: "PT0S" must be longer than zero"#),
        (#""polling": {"max_interval": "P1M"}"#, #"polling.max_interval: "P1M" uses years or months; expected a fixed duration such as PT30S or P1D"#),
        (#""polling": {"first_poll_after": "PT2M", "max_interval": "PT1M"}"#, "polling.max_interval: must not be shorter than polling.first_poll_after"),
        (#""recovery": {"reconcile_window": "soon"}"#, #"recovery.reconcile_window: "soon" is not an ISO 8601 duration (e.g. PT6H, P1D, PT30M)"#),
        (#""api": {"base_url": "https://app.gomangrove.com/api/v1", "request_timeout": "PT0S"}"#, #"api.request_timeout: "PT0S" must be longer than zero"#),
    ])
    func ranges(_ member: String, _ message: String) {
        var json = Self.oneLedger(Self.okLedger, extra: " " + member + ",")
        if member.hasPrefix(#""api""#) {
            json = "{" + member + #", "ledgers": [{"# + Self.okLedger + "}]}"
        }
        #expect(Self.errorLines(json) == [message])
    }

    @Test("huge and infinite numbers are reported, never a crash", arguments: [
        ("1e30", "limits.max_in_flight: 1e+30 is out of range; expected 1 to 1000"),
        ("1e400", "limits.max_in_flight: inf is out of range; expected 1 to 1000"),
        ("-1e400", "limits.max_in_flight: -inf is out of range; expected 1 to 1000"),
        ("9223372036854775808", "limits.max_in_flight: 9.223372036854776e+18 is out of range; expected 1 to 1000"),
        ("123456789012", "limits.max_in_flight: 123456789012 is out of range; expected 1 to 1000"),
    ])
    func hugeNumbers(_ number: String, _ message: String) {
        let json = Self.oneLedger(Self.okLedger, extra: #" "limits": {"max_in_flight": \#(number)},"#)
        #expect(Self.errorLines(json) == [message])
    }

    @Test("limits at their bounds are accepted")
    func bounds() throws {
        let json = Self.oneLedger(Self.okLedger, extra: #" "limits": {"max_in_flight": 1000, "requests_per_second": 0.1}, "recovery": {"failed_task_retries": 0},"#)
        let (schedule, _) = try ScheduleDecoder.decode(json, file: Self.file)
        #expect(schedule.limits == Limits(maxInFlight: 1000, requestsPerSecond: 0.1))
        #expect(schedule.recovery.failedTaskRetries == 0)
    }

    // MARK: - Several problems at once

    @Test("every problem is collected at once")
    func manyProblems() {
        let json = """
        {
          "api": {"base_url": "https://app.gomangrove.com/api/v1", "token": "x"},
          "limits": {"max_in_flight": 0},
          "ledgers": [
            {"id": "lgr_a", "cadence": "montly", "first_period_start": "2025-01-01", "settle_delay": "6h"},
            {"id": "nope", "cadence": "daily", "time_zone": "Europe/Berlim", "first_period_start": "2025-02-30"},
            {"id": "lgr_a", "cadance": "daily", "first_period_start": "2025-01-01"}
          ]
        }
        """
        let problems = Self.problems(json)
        let errors = problems.filter { $0.severity == .error }.map(\.path)
        #expect(errors == [
            "api.token", "limits.max_in_flight", "ledgers[0].cadence", "ledgers[0].settle_delay",
            "ledgers[1].id", "ledgers[1].time_zone", "ledgers[1].first_period_start", "ledgers[2].cadence", "ledgers[2].id",
        ])
        #expect(errors.count == 9)
        #expect(problems.filter { $0.severity == .warning }.map(\.path) == ["ledgers[2].cadance"])
        let description = ScheduleError(file: "s.json", problems: problems).description
        #expect(description.split(separator: "\n").count == problems.count)
        #expect(description.split(separator: "\n").allSatisfy { $0.hasPrefix("s.json:") })
        #expect(ScheduleError(file: "s.json", problems: problems).errors.count == 9)
    }

    @Test("a bad default is reported once, at its own path")
    func badDefault() {
        let json = """
        {"api": {"base_url": "https://app.gomangrove.com/api/v1"},
         "defaults": {"cadence": "montly", "settle_delay": "6h", "time_zone": "Nowhere/City", "first_period_start": "2025-13-01"},
         "ledgers": [{"id": "lgr_a"}, {"id": "lgr_b"}, {"id": "lgr_c", "cadence": "daily"}]}
        """
        let errors = Self.errorLines(json)
        #expect(errors.count == 3, "\(errors)")
        #expect(errors.contains { $0.hasPrefix(#"defaults.cadence: unknown cadence "montly""#) })
        #expect(errors.contains { $0.hasPrefix(#"defaults.settle_delay: "6h" is not an ISO 8601 duration"#) })
        #expect(errors.contains { $0.hasPrefix(#"defaults.time_zone: unknown time zone "Nowhere/City""#) })
    }

    @Test("a first_period_start inside a period warns with the first period generated")
    func unalignedStart() throws {
        let json = Self.oneLedger(#""id": "lgr_a", "cadence": "monthly", "time_zone": "Europe/Berlin", "first_period_start": "2025-01-15""#)
        let (schedule, warnings) = try ScheduleDecoder.decode(json, file: Self.file)
        #expect(schedule.ledgers.first?.firstPeriod.startTime == "2025-01-31T23:00:00.000Z")
        #expect(warnings.map(\.description) == [
            // What the user wrote, and the first period in the ledger's zone.
            "warning: ledgers[0].first_period_start: \"2025-01-15\" is not the start of a monthly period in Europe/Berlin; the first period generated is 2025-02, starting 2025-02-01 00:00 Europe/Berlin",
        ])
    }

    // MARK: - first_period_start forms

    @Test("parseStart: dates and date-times are local; Z and offsets are absolute", arguments: [
        ("2025-01-01", "Europe/Berlin", "2024-12-31T23:00:00.000Z"),
        ("2025-07-01", "Europe/Berlin", "2025-06-30T22:00:00.000Z"),
        ("2025-01-01T06:00", "Europe/Berlin", "2025-01-01T05:00:00.000Z"),
        ("2025-01-01T06:00:30", "America/New_York", "2025-01-01T11:00:30.000Z"),
        ("2025-01-01T00:00:00Z", "Europe/Berlin", "2025-01-01T00:00:00.000Z"),
        ("2025-01-01T00:00:00+05:30", "Europe/Berlin", "2024-12-31T18:30:00.000Z"),
        ("2024-02-29", "UTC", "2024-02-29T00:00:00.000Z"),
        // A local time in the spring gap is the first instant after it.
        ("2025-03-30T02:30", "Europe/Berlin", "2025-03-30T01:00:00.000Z"),
        // A repeated local time is the earlier instant.
        ("2025-10-26T02:30", "Europe/Berlin", "2025-10-26T00:30:00.000Z"),
        // A local midnight that never happened starts the day at 01:00.
        ("2025-09-07", "America/Santiago", "2025-09-07T04:00:00.000Z"),
    ])
    func parseStart(_ text: String, _ zoneID: String, _ expected: String) {
        #expect(ScheduleDecoder.parseStart(text, zone: zone(zoneID)).map(utcString) == expected)
    }
}

@Suite("KeySuggestion: did you mean …?")
struct KeySuggestionTests {
    @Test("distance", arguments: [
        ("cadance", "cadence", 1), ("cadnece", "cadence", 1), ("montly", "monthly", 1), ("", "abc", 3), ("abc", "", 3),
        ("same", "same", 0), ("kitten", "sitting", 3), ("ab", "ba", 1),
    ])
    func distance(_ a: String, _ b: String, _ d: Int) {
        #expect(KeySuggestion.distance(a, b) == d)
        #expect(KeySuggestion.distance(b, a) == d)
    }

    @Test("nearest", arguments: [
        ("cadance", "cadence"), ("Cadence", "cadence"), ("settle_dealy", "settle_delay"), ("montly", "monthly"),
        ("weakly", "weekly"), ("timezone", "time_zone"), ("xyz", nil), ("", nil),
    ] as [(String, String?)])
    func nearest(_ word: String, _ expected: String?) {
        let candidates = ["cadence", "settle_delay", "time_zone", "monthly", "weekly", "daily"]
        #expect(KeySuggestion.nearest(to: word, in: candidates) == expected)
    }

    @Test("no candidates, no suggestion")
    func empty() {
        #expect(KeySuggestion.nearest(to: "x", in: []) == nil)
    }
}
