import Foundation

/// Turns schedule JSON into a `Schedule`, collecting every problem at once: syntax
/// (with line and column), missing and mistyped keys, unknown cadences and time zones,
/// bad durations and dates, duplicate or malformed ledger ids, a token in the file, and
/// unknown keys (a warning naming the nearest known key).
public struct ScheduleDecoder {
    /// Key names that would hold a secret: refused wherever they appear.
    static let secretKeys: Set<String> = ["token", "api_token", "apitoken", "api_key", "apikey", "bearer", "bearer_token", "authorization", "secret", "password"]
    static let topKeys = ["api", "journal_path", "defaults", "ledgers", "limits", "polling", "recovery", "metrics", "alerts", "$schema", "comment"]
    static let metricsKeys = ["listen", "textfile"]
    static let alertsKeys = ["overdue_after"]
    static let apiKeys = ["base_url", "token_file", "connect_timeout", "request_timeout"]
    static let ledgerKeys = ["id", "name", "cadence", "time_zone", "first_period_start", "settle_delay", "preview", "comment"]
    static let defaultsKeys = ["cadence", "time_zone", "first_period_start", "settle_delay", "preview"]
    static let limitsKeys = ["max_in_flight", "requests_per_second"]
    static let pollingKeys = ["first_poll_after", "max_interval", "task_timeout"]
    static let recoveryKeys = [
        "failed_task_retries", "failed_task_backoff", "reconcile_after", "reconcile_window",
        "unavailable_ledger_backoff", "empty_preview_recheck", "empty_preview_limit", "verify_max_age",
    ]

    private var problems: [ScheduleProblem] = []
    /// The wall clock's reading, for the catch-up warning; nil skips it.
    private var now: Date?

    /// Decodes `text`. Throws a `ScheduleError` naming `file` when there is any error;
    /// warnings alone do not throw and are returned with the schedule. With `now`, a
    /// `first_period_start` far back is a warning that counts the periods it means.
    public static func decode(_ text: String, file: String, now: Date? = nil) throws(ScheduleError) -> (schedule: Schedule, warnings: [ScheduleProblem]) {
        var decoder = ScheduleDecoder()
        decoder.now = now
        let root: ConfigJSON.Node
        do {
            root = try ConfigJSONReader.parse(text)
        } catch {
            throw ScheduleError(file: file, problems: [
                ScheduleProblem(.error, path: "", message: "invalid JSON: \(error.message)", line: error.line, column: error.column),
            ])
        }
        let schedule = decoder.decodeRoot(root)
        decoder.problems = ScheduleProblem.inFileOrder(decoder.problems)
        let errors = decoder.problems.filter { $0.severity == .error }
        if !errors.isEmpty || schedule == nil {
            throw ScheduleError(file: file, problems: decoder.problems)
        }
        return (schedule!, decoder.problems)
    }

    // MARK: - Problems

    private mutating func error(_ path: String, _ message: String, at node: ConfigJSON.Node?) {
        problems.append(ScheduleProblem(.error, path: path, message: message, line: node?.line, column: node?.column))
    }

    private mutating func warning(_ path: String, _ message: String, at node: ConfigJSON.Node?) {
        problems.append(ScheduleProblem(.warning, path: path, message: message, line: node?.line, column: node?.column))
    }

    // MARK: - Objects

    /// The members of an object as a dictionary, reporting duplicates, secrets and unknown keys.
    private mutating func members(_ node: ConfigJSON.Node, path: String, known: [String]) -> [String: ConfigJSON.Node]? {
        guard case .object(let list) = node.value else {
            error(path, "expected an object, found \(node.value.kindName)", at: node)
            return nil
        }
        var result: [String: ConfigJSON.Node] = [:]
        for member in list {
            let memberPath = join(path, member.key)
            if Self.secretKeys.contains(member.key.lowercased()) {
                error(memberPath, "an API token must not be in the schedule; provide it as a systemd credential (LoadCredential=mangrove-api-token:/etc/mangrove-scheduler/api-token), in a file named by api.token_file, or in the environment variable MANGROVE_API_TOKEN", at: member.node)
                continue
            }
            if result[member.key] != nil {
                error(memberPath, "duplicate key \"\(member.key)\"; only one is allowed", at: member.node)
                continue
            }
            if !known.contains(member.key) {
                var message = "unknown key \"\(member.key)\" is ignored"
                if let near = KeySuggestion.nearest(to: member.key, in: known) {
                    message += "; did you mean \"\(near)\"?"
                } else {
                    message += "; known keys: \(known.filter { !$0.hasPrefix("$") && $0 != "comment" }.joined(separator: ", "))"
                }
                warning(memberPath, message, at: member.node)
                continue
            }
            result[member.key] = member.node
        }
        return result
    }

    private func join(_ path: String, _ key: String) -> String { path.isEmpty ? key : "\(path).\(key)" }

    // MARK: - Scalars

    private mutating func string(_ node: ConfigJSON.Node?, path: String, required: Bool, expected: String) -> String? {
        guard let node else {
            if required { error(path, "missing; expected \(expected)", at: nil) }
            return nil
        }
        guard case .string(let s) = node.value else {
            error(path, "expected \(expected), found \(node.value.kindName)", at: node)
            return nil
        }
        return s
    }

    private mutating func bool(_ node: ConfigJSON.Node?, path: String) -> Bool? {
        guard let node else { return nil }
        guard case .bool(let b) = node.value else {
            error(path, "expected true or false, found \(node.value.kindName)", at: node)
            return nil
        }
        return b
    }

    private mutating func number(_ node: ConfigJSON.Node?, path: String, range: ClosedRange<Double>, integer: Bool) -> Double? {
        guard let node else { return nil }
        guard case .number(let n) = node.value, !integer || n.rounded() == n else {
            error(path, "expected \(integer ? "a whole number" : "a number") from \(format(range.lowerBound)) to \(format(range.upperBound)), found \(node.value.kindName)", at: node)
            return nil
        }
        guard range.contains(n) else {
            error(path, "\(format(n)) is out of range; expected \(format(range.lowerBound)) to \(format(range.upperBound))", at: node)
            return nil
        }
        return n
    }

    private func format(_ n: Double) -> String { n.rounded() == n && abs(n) < 1e15 ? String(Int(n)) : String(n) }

    private mutating func duration(_ node: ConfigJSON.Node?, path: String, timeOnly: Bool = false) -> ISODuration? {
        guard let text = string(node, path: path, required: false, expected: "an ISO 8601 duration (e.g. PT6H)") else { return nil }
        guard let d = ISODuration(text) else {
            error(path, "\"\(text)\" is not an ISO 8601 duration (e.g. PT6H, P1D, PT30M)", at: node)
            return nil
        }
        if timeOnly, d.years != 0 || d.months != 0 {
            error(path, "\"\(text)\" uses years or months; expected a fixed duration such as PT30S or P1D", at: node)
            return nil
        }
        return d
    }

    private mutating func fixedDuration(_ node: ConfigJSON.Node?, path: String, positive: Bool = true) -> Duration? {
        guard let d = duration(node, path: path, timeOnly: true) else { return nil }
        if positive, d.isZero {
            error(path, "\"\(d.text)\" must be longer than zero", at: node)
            return nil
        }
        if let bounds = ScheduleBounds.durations[path] {
            let value = d.duration
            if value < bounds.lowerBound {
                error(path, "\"\(d.text)\" is too short; expected at least \(ScheduleBounds.isoText(bounds.lowerBound)) (at most \(ScheduleBounds.isoText(bounds.upperBound)))", at: node)
                return nil
            }
            if value > bounds.upperBound {
                error(path, "\"\(d.text)\" is too long; expected at most \(ScheduleBounds.isoText(bounds.upperBound)) (at least \(ScheduleBounds.isoText(bounds.lowerBound)))", at: node)
                return nil
            }
        }
        return d.duration
    }

    /// `settle_delay`: any ISO 8601 duration up to `ScheduleBounds.maxSettleDelaySeconds`.
    private mutating func settleDelay(_ node: ConfigJSON.Node?, path: String) -> ISODuration? {
        guard let d = duration(node, path: path) else { return nil }
        guard d.approximateSeconds <= ScheduleBounds.maxSettleDelaySeconds else {
            error(path, "\"\(d.text)\" is too long; expected at most P31D (a period is due when its end plus settle_delay has passed)", at: node)
            return nil
        }
        return d
    }

    private mutating func cadence(_ node: ConfigJSON.Node?, path: String) -> Cadence? {
        guard let text = string(node, path: path, required: false, expected: "a cadence (\(Cadence.expectedList))") else { return nil }
        guard let c = Cadence(rawValue: text) else {
            var message = "unknown cadence \"\(text)\"; expected one of \(Cadence.expectedList)"
            if let near = KeySuggestion.nearest(to: text, in: Cadence.allCases.map(\.rawValue)) {
                message += " (did you mean \"\(near)\"?)"
            }
            error(path, message, at: node)
            return nil
        }
        return c
    }

    private mutating func timeZone(_ node: ConfigJSON.Node?, path: String) -> TimeZone? {
        guard let text = string(node, path: path, required: false, expected: "an IANA time zone name (e.g. Europe/Berlin)") else { return nil }
        guard let zone = Self.ianaZone(text) else {
            var message = "unknown time zone \"\(text)\"; expected an IANA name such as Europe/Berlin, America/New_York or UTC"
            if let near = KeySuggestion.nearest(to: text, in: TimeZone.knownTimeZoneIdentifiers) {
                message += " (did you mean \"\(near)\"?)"
            }
            error(path, message, at: node)
            return nil
        }
        return zone
    }

    /// The zone names ICU knows, read once (the list is built anew on every call, and a
    /// schedule of 10,000 ledgers asks twice per ledger).
    private static let knownZones = Set(TimeZone.knownTimeZoneIdentifiers)

    /// Only IANA names (plus `UTC`/`GMT`), not abbreviations like `CET` or offsets like `GMT+2`.
    static func ianaZone(_ name: String) -> TimeZone? {
        if name == "UTC" || name == "GMT" || name == "Etc/UTC" { return TimeZone(identifier: "UTC") }
        if knownZones.contains(name) { return TimeZone(identifier: name) }
        // ICU's list lacks some IANA names, even canonical ones (Asia/Kolkata, where it has
        // Asia/Calcutta): accept an Area/Location name the tz database resolves. Abbreviations
        // (CET, EST) and offsets (GMT+2) have no "/" and stay refused.
        guard name.contains("/") else { return nil }
        return TimeZone(identifier: name)
    }

    // MARK: - Document

    private mutating func decodeRoot(_ root: ConfigJSON.Node) -> Schedule? {
        guard let top = members(root, path: "", known: Self.topKeys) else { return nil }

        // api
        var api: APISettings?
        if let apiNode = top["api"] {
            if let a = members(apiNode, path: "api", known: Self.apiKeys) {
                let base = string(a["base_url"], path: "api.base_url", required: true, expected: "the API's base URL (e.g. https://app.gomangrove.com/api/v1)")
                if let base, !(base.hasPrefix("https://") || base.hasPrefix("http://")) || base.count < 10 {
                    error("api.base_url", "\"\(base)\" is not an http(s) URL; expected e.g. https://app.gomangrove.com/api/v1", at: a["base_url"])
                }
                let tokenFile = string(a["token_file"], path: "api.token_file", required: false, expected: "a file path")
                let connect = fixedDuration(a["connect_timeout"], path: "api.connect_timeout")
                let request = fixedDuration(a["request_timeout"], path: "api.request_timeout")
                if let base {
                    api = APISettings(
                        baseURL: base, tokenFile: tokenFile, connectTimeout: connect ?? .seconds(10),
                        requestTimeout: request ?? .seconds(30))
                }
            }
        } else {
            error("api", "missing; expected an object with base_url (e.g. {\"base_url\": \"https://app.gomangrove.com/api/v1\"})", at: nil)
        }

        let journalPath = string(top["journal_path"], path: "journal_path", required: false, expected: "a file path") ?? Schedule.defaultJournalPath
        if journalPath.isEmpty { error("journal_path", "must not be empty", at: top["journal_path"]) }

        var limits = Limits()
        if let node = top["limits"], let l = members(node, path: "limits", known: Self.limitsKeys) {
            if let n = number(l["max_in_flight"], path: "limits.max_in_flight", range: 1...1000, integer: true) { limits.maxInFlight = Int(n) }
            if let n = number(l["requests_per_second"], path: "limits.requests_per_second", range: 0.1...1000, integer: false) { limits.requestsPerSecond = n }
        }

        var polling = PollingPolicy()
        if let node = top["polling"], let p = members(node, path: "polling", known: Self.pollingKeys) {
            if let d = fixedDuration(p["first_poll_after"], path: "polling.first_poll_after") { polling.firstPollAfter = d }
            if let d = fixedDuration(p["max_interval"], path: "polling.max_interval") { polling.maxInterval = d }
            if let d = fixedDuration(p["task_timeout"], path: "polling.task_timeout") { polling.taskTimeout = d }
            if polling.maxInterval < polling.firstPollAfter {
                error("polling.max_interval", "must not be shorter than polling.first_poll_after", at: p["max_interval"])
            }
        }

        var recovery = RecoveryPolicy()
        if let node = top["recovery"], let r = members(node, path: "recovery", known: Self.recoveryKeys) {
            if let n = number(r["failed_task_retries"], path: "recovery.failed_task_retries", range: 0...100, integer: true) { recovery.failedTaskRetries = Int(n) }
            if let d = fixedDuration(r["failed_task_backoff"], path: "recovery.failed_task_backoff") { recovery.failedTaskBackoff = d }
            if let d = fixedDuration(r["reconcile_after"], path: "recovery.reconcile_after") { recovery.reconcileAfter = d }
            if let d = fixedDuration(r["reconcile_window"], path: "recovery.reconcile_window") { recovery.reconcileWindow = d }
            if let d = fixedDuration(r["unavailable_ledger_backoff"], path: "recovery.unavailable_ledger_backoff") { recovery.unavailableLedgerBackoff = d }
            if let d = fixedDuration(r["empty_preview_recheck"], path: "recovery.empty_preview_recheck") { recovery.emptyPreviewRecheck = d }
            if let n = number(r["empty_preview_limit"], path: "recovery.empty_preview_limit", range: 1...10000, integer: true) { recovery.emptyPreviewLimit = Int(n) }
            if let d = fixedDuration(r["verify_max_age"], path: "recovery.verify_max_age") {
                if d < .seconds(1) || d > .seconds(3600) {
                    error("recovery.verify_max_age", "must be between PT1S and PT1H (how old a listing of the ledger's batches may be when it clears a period for generation), got \(ISODurationFormat.format(d))", at: r["verify_max_age"])
                } else {
                    recovery.verifyMaxAge = d
                }
            }
        }

        var metrics = MetricsSettings()
        if let node = top["metrics"], let m = members(node, path: "metrics", known: Self.metricsKeys) {
            if let text = string(m["listen"], path: "metrics.listen", required: false, expected: "HOST:PORT on the loopback interface (e.g. 127.0.0.1:9464)") {
                switch ListenAddress.parse(text) {
                case .success(let address): metrics.listen = address
                case .failure(let problem): error("metrics.listen", "\"\(text)\": \(problem)", at: m["listen"])
                }
            }
            if let file = string(m["textfile"], path: "metrics.textfile", required: false, expected: "a file path ending in .prom") {
                if file.isEmpty || file.hasSuffix("/") {
                    error("metrics.textfile", "\"\(file)\" is not a file path; expected e.g. /var/lib/prometheus/node-exporter/mangrove-scheduler.prom", at: m["textfile"])
                } else {
                    if !file.hasSuffix(".prom") {
                        warning("metrics.textfile", "\"\(file)\" does not end in .prom; node_exporter's textfile collector reads only *.prom files", at: m["textfile"])
                    }
                    metrics.textfile = file
                }
            }
        }

        var alerts = AlertSettings()
        if let node = top["alerts"], let a = members(node, path: "alerts", known: Self.alertsKeys) {
            if let d = fixedDuration(a["overdue_after"], path: "alerts.overdue_after") { alerts.overdueAfter = d }
        }

        // defaults
        var defaults: [String: ConfigJSON.Node] = [:]
        if let node = top["defaults"], let d = members(node, path: "defaults", known: Self.defaultsKeys) {
            defaults = d
            // Validate each default once, at its own path.
            _ = cadence(d["cadence"], path: "defaults.cadence")
            _ = timeZone(d["time_zone"], path: "defaults.time_zone")
            _ = settleDelay(d["settle_delay"], path: "defaults.settle_delay")
            _ = bool(d["preview"], path: "defaults.preview")
            if let fps = d["first_period_start"], let zone = Self.ianaZone(stringValue(d["time_zone"]) ?? "UTC") {
                _ = startInstant(fps, path: "defaults.first_period_start", zone: zone)
            }
        }

        // ledgers
        var ledgers: [LedgerSchedule] = []
        guard let ledgersNode = top["ledgers"] else {
            error("ledgers", "missing; expected an array of ledgers, each with id, cadence and first_period_start", at: nil)
            return nil
        }
        guard case .array(let items) = ledgersNode.value else {
            error("ledgers", "expected an array, found \(ledgersNode.value.kindName)", at: ledgersNode)
            return nil
        }
        if items.isEmpty {
            warning("ledgers", "is empty; the daemon will have nothing to do", at: ledgersNode)
        }
        var seen: [String: Int] = [:]
        for (i, item) in items.enumerated() {
            let path = "ledgers[\(i)]"
            guard let l = members(item, path: path, known: Self.ledgerKeys) else { continue }
            let id = string(l["id"], path: "\(path).id", required: true, expected: "a ledger id of the form lgr_…")
            if let id {
                if !Self.isLedgerID(id) {
                    error("\(path).id", "\"\(id)\" is not a ledger id; expected \"lgr_\" followed by letters and digits (e.g. lgr_abc123def456)", at: l["id"])
                } else if let first = seen[id] {
                    error("\(path).id", "duplicate ledger id \"\(id)\"; already used by ledgers[\(first)]", at: l["id"])
                } else {
                    seen[id] = i
                }
            }
            let own = { (key: String) -> (ConfigJSON.Node?, String) in
                if let n = l[key] { return (n, "\(path).\(key)") }
                return (defaults[key], "defaults.\(key)")
            }
            let (cadenceNode, cadencePath) = own("cadence")
            var ledgerCadence: Cadence?
            if cadenceNode == nil {
                error("\(path).cadence", "missing; expected one of \(Cadence.expectedList) (here or in defaults)", at: item)
            } else if l["cadence"] != nil {
                ledgerCadence = cadence(cadenceNode, path: cadencePath)
            } else {
                ledgerCadence = Cadence(rawValue: stringValue(cadenceNode) ?? "")
            }
            let (zoneNode, zonePath) = own("time_zone")
            var zone: TimeZone? = TimeZone(identifier: "UTC")
            if l["time_zone"] != nil {
                zone = timeZone(zoneNode, path: zonePath)
            } else if zoneNode != nil {
                zone = Self.ianaZone(stringValue(zoneNode) ?? "")
            }
            let (delayNode, delayPath) = own("settle_delay")
            var delay: ISODuration? = .zero
            if l["settle_delay"] != nil {
                delay = settleDelay(delayNode, path: delayPath)
            } else if let delayNode {
                delay = ISODuration(stringValue(delayNode) ?? "").flatMap { $0.approximateSeconds <= ScheduleBounds.maxSettleDelaySeconds ? $0 : nil }
            }
            let (previewNode, previewPath) = own("preview")
            let preview = l["preview"] != nil ? bool(previewNode, path: previewPath) : (previewNode.flatMap { if case .bool(let b) = $0.value { b } else { nil } } ?? false)
            let (startNode, startPath) = own("first_period_start")
            var start: Date?
            if startNode == nil {
                error("\(path).first_period_start", "missing; expected a date (2025-01-01) or date-time (2025-01-01T00:00:00) in the ledger's time zone", at: item)
            } else if zone == nil {
                // Still report a malformed date when the time zone is wrong too.
                if l["first_period_start"] != nil, let utc = TimeZone(identifier: "UTC") {
                    _ = startInstant(startNode!, path: startPath, zone: utc)
                }
            } else if let zone {
                if l["first_period_start"] != nil {
                    start = startInstant(startNode!, path: startPath, zone: zone)
                } else {
                    start = Self.parseStart(stringValue(startNode) ?? "", zone: zone)
                        .flatMap { $0 >= ScheduleBounds.earliestFirstPeriodStart ? $0 : nil }
                }
            }
            let name = string(l["name"], path: "\(path).name", required: false, expected: "a string")
            if let id, let ledgerCadence, let zone, let delay, let start {
                let ledger = LedgerSchedule(
                    id: id, name: name, cadence: ledgerCadence, timeZone: zone, firstPeriodStart: start,
                    settleDelay: delay, preview: preview ?? false)
                // An inherited default names the ledger it applies to.
                let forLedger = l["first_period_start"] == nil ? " (for \(path), \(id))" : ""
                if !ledger.calendar.isBoundary(start) {
                    let written = stringValue(startNode) ?? UTCTimestamp.format(start)
                    let first = ledger.firstPeriod
                    warning(startPath, "\"\(written)\" is not the start of \(Plural.article(ledgerCadence.rawValue)) \(ledgerCadence) period in \(LocalTime.zoneName(zone))\(forLedger); the first period generated is \(LocalTime.period(first, cadence: ledgerCadence, in: zone)), starting \(LocalTime.instant(first.start, in: zone))", at: startNode)
                }
                if let now, let warning = Self.catchUpWarning(ledger, now: now) {
                    self.warning(startPath, warning + forLedger, at: startNode)
                }
                ledgers.append(ledger)
            }
        }

        guard let api else { return nil }
        return Schedule(api: api, journalPath: journalPath, ledgers: ledgers, limits: limits, polling: polling, recovery: recovery,
                        metrics: metrics, alerts: alerts)
    }

    private func stringValue(_ node: ConfigJSON.Node?) -> String? {
        if case .string(let s) = node?.value { return s }
        return nil
    }

    private mutating func startInstant(_ node: ConfigJSON.Node, path: String, zone: TimeZone) -> Date? {
        guard let text = string(node, path: path, required: false, expected: "a date (2025-01-01) or date-time (2025-01-01T00:00:00)") else { return nil }
        guard let date = Self.parseStart(text, zone: zone) else {
            error(path, "\"\(text)\" is not a date (YYYY-MM-DD) or date-time (YYYY-MM-DDThh:mm:ss, optionally with Z or ±hh:mm)", at: node)
            return nil
        }
        guard date >= ScheduleBounds.earliestFirstPeriodStart else {
            error(path, "\"\(text)\" is before 2000-01-01; the daemon would generate every period since then", at: node)
            return nil
        }
        return date
    }

    /// The warning for a `first_period_start` more than `ScheduleBounds.catchUpWarningYears`
    /// before `now`, with the number of closed periods the catch-up will generate.
    static func catchUpWarning(_ ledger: LedgerSchedule, now: Date) -> String? {
        let years = ScheduleBounds.catchUpWarningYears
        guard ledger.firstPeriodStart < now.addingTimeInterval(-Double(years) * 365.25 * 86_400) else { return nil }
        var period = ledger.firstPeriod
        var count = 0
        let limit = 1_000_000
        while period.end <= now, count < limit {
            count += 1
            period = ledger.calendar.following(period)
        }
        let age = Int(now.timeIntervalSince(ledger.firstPeriodStart) / (365.25 * 86_400))
        let countText = count >= limit ? "more than \(limit)" : "\(count)"
        return "\(UTCTimestamp.format(ledger.firstPeriodStart)) is \(age) years back (more than \(years)): "
            + "\(countText) \(ledger.cadence) periods would be generated, oldest first, before the ledger is up to date"
    }

    /// `2025-01-01` and `2025-01-01T06:00:00` are local to `zone`; a trailing `Z` or offset is absolute.
    public static func parseStart(_ text: String, zone: TimeZone) -> Date? {
        if let absolute = UTCTimestamp.parse(text) { return absolute }
        let parts = text.split(separator: "T", maxSplits: 1, omittingEmptySubsequences: false)
        let dateParts = parts[0].split(separator: "-", omittingEmptySubsequences: false)
        guard dateParts.count == 3, dateParts[0].count == 4, dateParts[1].count == 2, dateParts[2].count == 2,
              let y = digits(dateParts[0]), let m = digits(dateParts[1]), let d = digits(dateParts[2]),
              (1...12).contains(m), (1...CivilDate.daysInMonth(year: y, month: m)).contains(d)
        else { return nil }
        var secondOfDay = 0
        if parts.count == 2 {
            let t = parts[1].split(separator: ":", omittingEmptySubsequences: false)
            guard (2...3).contains(t.count), t.allSatisfy({ $0.count == 2 }),
                  let hh = digits(t[0]), let mm = digits(t[1]), hh < 24, mm < 60 else { return nil }
            let ss = t.count == 3 ? digits(t[2]) : 0
            guard let ss, ss < 60 else { return nil }
            secondOfDay = hh * 3600 + mm * 60 + ss
        }
        let local = CivilDate.toDays(year: y, month: m, day: d) * 86_400 + Int64(secondOfDay)
        return Date(timeIntervalSince1970: TimeInterval(ZoneClock(timeZone: zone).utc(forLocal: local)))
    }

    /// The value of a run of ASCII digits; nil for anything else (`Int("+1")` would say 1).
    private static func digits(_ text: Substring) -> Int? {
        guard !text.isEmpty, text.utf8.allSatisfy({ $0 >= 0x30 && $0 <= 0x39 }) else { return nil }
        return Int(text)
    }

    static func isLedgerID(_ id: String) -> Bool {
        guard id.hasPrefix("lgr_") else { return false }
        let rest = id.dropFirst(4)
        return !rest.isEmpty && rest.count <= 64 && rest.allSatisfy { $0.isASCII && ($0.isLetter || $0.isNumber || $0 == "_") }
    }
}
