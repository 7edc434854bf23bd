import Foundation
import MangroveAPI
import SchedulerCore

/// The simulator's whole mutable world: tasks, batches, fault rules, the request log
/// and the seeded generator. One actor so that every decision is serialised and the
/// same request sequence always yields the same outcomes.
actor SimulatorState {
    let config: SimulatorConfig
    private let now: @Sendable () -> Date
    private var clockOffsetMs: Int64 = 0
    private var random: SplitMix64
    private(set) var faults: [FaultRule]
    private(set) var log: [RecordedRequest] = []
    private var nextSequence = 1
    private var tasks: [Int: SimulatedTask] = [:]
    private var nextTaskID = 1
    private var batches: [StoredBatch] = []
    /// Indexes into `batches`, so lookups stay cheap in long benchmark runs.
    private var batchIndexByID: [String: Int] = [:]
    private var batchIndicesByLedger: [String: [Int]] = [:]
    private var trackingCounters: [String: Int] = [:]
    /// Tasks whose batches are not created yet.
    private var unfinishedTaskIDs: Set<Int> = []
    private let ledgersByID: [String: (number: Int, ledger: SimulatedLedger)]

    init(config: SimulatorConfig, now: @escaping @Sendable () -> Date) {
        self.config = config
        self.now = now
        self.random = SplitMix64(seed: config.seed)
        self.faults = config.faults
        var ledgers: [String: (Int, SimulatedLedger)] = [:]
        for (index, ledger) in config.ledgers.enumerated() where ledgers[ledger.id] == nil {
            ledgers[ledger.id] = (index + 1, ledger)
        }
        self.ledgersByID = ledgers
    }

    // MARK: - Clock

    var nowMs: Int64 { UTCTimestamp.milliseconds(of: now()) + clockOffsetMs }

    /// Moves the simulator's clock forward (for out-of-process runs that cannot inject `now`).
    func advanceClock(bySeconds seconds: Double) -> Date {
        clockOffsetMs += Int64((seconds * 1000).rounded())
        return UTCTimestamp.date(milliseconds: nowMs)
    }

    // MARK: - Faults

    func setFaults(_ rules: [FaultRule]) {
        faults = rules
    }

    /// The fault for this request: the first rule that matches and fires. Firing
    /// consumes one `count` and, for probabilistic rules, one draw of the generator.
    func selectFault(method: String, path: String, relativePath: String, endpoint: SimulatorEndpoint?) -> FaultKind? {
        for index in faults.indices {
            let rule = faults[index]
            guard rule.match.matches(method: method, path: path, relativePath: relativePath, endpoint: endpoint) else {
                continue
            }
            if let count = rule.count, count <= 0 { continue }
            if let probability = rule.probability, !random.chance(probability) { continue }
            if let count = rule.count { faults[index].count = count - 1 }
            return rule.kind
        }
        return nil
    }

    // MARK: - Request log

    func clearLog() {
        log.removeAll()
    }

    private func record(
        _ request: IncomingRequest, endpoint: SimulatorEndpoint?, status: Int?, authorized: Bool,
        fault: FaultKind?, processed: Bool, createdTaskID: Int?
    ) {
        var body: JSONValue? = nil
        if let bytes = request.body, !bytes.isEmpty {
            body = (try? JSONDecoder().decode(JSONValue.self, from: Data(bytes))) ?? .string(String(decoding: bytes, as: UTF8.self))
        }
        log.append(
            RecordedRequest(
                sequence: nextSequence, method: request.method, path: request.path, query: request.query,
                endpoint: endpoint, status: status, body: body, authorized: authorized,
                time: UTCTimestamp.date(milliseconds: nowMs), fault: fault, processed: processed,
                createdTaskID: createdTaskID
            )
        )
        nextSequence += 1
        // Trim in chunks so appending stays cheap once the limit is reached.
        if log.count > Self.logLimit + Self.logLimit / 10 { log.removeFirst(log.count - Self.logLimit) }
    }

    /// The request log keeps (about) the most recent 100 000 entries only, so long
    /// benchmark runs do not grow without bound.
    static let logLimit = 100_000

    // MARK: - Handling

    /// Handles an API request (path under `/api/v1`) given the fault already selected
    /// (latency already waited out by the caller), records it and returns the reply.
    func handle(_ request: IncomingRequest, relativePath: String, fault: FaultKind?) -> SimulatorReply {
        let route = ResolvedRoute.resolve(method: request.method, relativePath: relativePath)
        let authorized = isAuthorized(request.authorization)

        if let fault, !fault.processesRequest {
            var reply: SimulatorReply
            switch fault {
            case .status(let status, let retryAfter):
                reply = .error(
                    status, Self.message(forStatus: status),
                    headers: retryAfter.map { ["Retry-After": String($0)] } ?? [:]
                )
            case .garbageBody:
                reply = .respond(
                    status: 200, body: Data("<html><body>502 Bad Gateway</body></html>\n{\"data\": [".utf8),
                    headers: ["Content-Type": "text/html"])
            case .redirect(let location):
                var target = location
                if config.echoAuthInErrors, let authorization = request.authorization {
                    let token = authorization.split(separator: " ", maxSplits: 1).last.map(String.init) ?? authorization
                    target += (target.contains("?") ? "&" : "?") + "access_token="
                        + (token.addingPercentEncoding(withAllowedCharacters: .urlQueryAllowed) ?? token)
                }
                reply = .respond(status: 302, body: nil, headers: ["Location": target])
            default:
                reply = .dropConnection
            }
            if config.echoAuthInErrors, let authorization = request.authorization {
                reply = reply.echoingInErrorMessages(authorization)
            }
            record(request, endpoint: route?.endpoint, status: reply.status, authorized: authorized,
                   fault: fault, processed: false, createdTaskID: nil)
            return reply
        }

        var createdTaskID: Int? = nil
        var reply: SimulatorReply
        if !authorized {
            reply = .error(401, "unauthorized")
        } else if let route {
            reply = respond(to: route, request: request, createdTaskID: &createdTaskID)
        } else {
            reply = .notFound
        }
        let processed = reply.status.map { (200..<300).contains($0) } ?? false

        switch fault {
        case .processThenDrop?:
            reply = .dropConnection
        case .processThenStatus(let status)?:
            reply = .error(status, Self.message(forStatus: status))
        case .undecodable?:
            reply = .respond(status: 200, body: Data(undecodablePage(request).utf8), headers: ["Content-Type": "text/html; charset=utf-8"])
        default:
            break
        }
        if config.echoAuthInErrors, let authorization = request.authorization {
            reply = reply.echoingInErrorMessages(authorization)
        }
        record(request, endpoint: route?.endpoint, status: reply.status, authorized: authorized,
               fault: fault, processed: processed, createdTaskID: createdTaskID)
        return reply
    }

    /// What a misrouted gateway answers with 200: HTML, echoing the Authorization header
    /// when `echo_auth_in_errors` is set.
    private func undecodablePage(_ request: IncomingRequest) -> String {
        let echo = config.echoAuthInErrors ? " Authorization: \(request.authorization ?? "none")." : ""
        return "<!DOCTYPE html><html><head><title>Welcome</title></head><body><h1>It works!</h1>"
            + "<p>Request \(request.method) \(request.path) reached the default site.\(echo)</p></body></html>\n"
    }

    private func isAuthorized(_ header: String?) -> Bool {
        guard let header else { return false }
        let parts = header.split(separator: " ", maxSplits: 1)
        guard parts.count == 2, parts[0].lowercased() == "bearer" else { return false }
        return parts[1].trimmingCharacters(in: .whitespaces) == config.token
    }

    static func message(forStatus status: Int) -> String {
        switch status {
        case 408: "request timeout"
        case 429: "too many requests"
        case 500: "internal server error"
        case 502: "bad gateway"
        case 503: "service unavailable"
        case 504: "gateway timeout"
        default: "simulated error \(status)"
        }
    }

    private func respond(to route: ResolvedRoute, request: IncomingRequest, createdTaskID: inout Int?) -> SimulatorReply {
        switch route.endpoint {
        case .ledgers:
            return .json(200, ListResponse(data: config.ledgers.map(\.apiLedger)))
        case .requiredInputs:
            guard let ledger = ledger(route.identifier) else { return .notFound }
            return .json(200, ListResponse(data: ledger.ledger.requiredInputs))
        case .generatePreview:
            guard let ledger = ledger(route.identifier) else { return .notFound }
            switch GenerationRequestValidator.validate(request.body) {
            case .failure(let problem): return .error(422, messages: problem.messages)
            case .success: break
            }
            let count = ledger.ledger.previewCount ?? config.batchesPerGeneration
            return .json(200, ListResponse(data: [PreviewEntry(id: ledger.ledger.id, name: ledger.ledger.name, count: count)]))
        case .batchGenerations:
            guard let ledger = ledger(route.identifier) else { return .notFound }
            guard ledger.ledger.latestModel != nil else { return .error(422, "ledger has no linked model") }
            let range: ValidatedRange
            switch GenerationRequestValidator.validate(request.body) {
            case .failure(let problem): return .error(422, messages: problem.messages)
            case .success(let validated): range = validated
            }
            let task = createTask(ledgerID: ledger.ledger.id, ledgerNumber: ledger.number, range: range)
            createdTaskID = task.id
            return .json(202, task.snapshot(atMs: nowMs, config: config, authorization: request.authorization))
        case .asyncTask:
            guard let id = route.identifier.flatMap({ Int($0) }), let task = tasks[id] else { return .notFound }
            materialiseBatches()
            return .json(200, task.snapshot(atMs: nowMs, config: config, authorization: request.authorization))
        case .ledgerBatches:
            guard let ledger = ledger(route.identifier) else { return .notFound }
            return listBatches(ledgerID: ledger.ledger.id, query: request.query)
        case .batch:
            materialiseBatches()
            guard let index = route.identifier.flatMap({ batchIndexByID[$0] }) else { return .notFound }
            let batch = batches[index]
            return .json(200, batch.full)
        }
    }

    private func ledger(_ id: String?) -> (number: Int, ledger: SimulatedLedger)? {
        id.flatMap { ledgersByID[$0] }
    }

    // MARK: - Tasks

    private func createTask(ledgerID: String, ledgerNumber: Int, range: ValidatedRange) -> SimulatedTask {
        let task = SimulatedTask(
            id: nextTaskID, ledgerID: ledgerID, ledgerNumber: ledgerNumber,
            startTime: range.startTime, endTime: range.endTime, createdAtMs: nowMs,
            pendingMs: Int64((config.taskPendingSeconds * 1000).rounded()),
            durationMs: Int64((config.taskDurationSeconds * 1000).rounded()),
            willFail: random.chance(config.taskFailureRate),
            batchCount: config.batchesPerGeneration
        )
        tasks[task.id] = task
        unfinishedTaskIDs.insert(task.id)
        nextTaskID += 1
        return task
    }

    /// Every task as it stands now, in creation order.
    func taskSnapshots() -> [AsyncTask] {
        materialiseBatches()
        let at = nowMs
        return tasks.keys.sorted().compactMap { tasks[$0] }.map {
            $0.snapshot(atMs: at, config: config)
        }
    }

    // MARK: - Batches

    /// Creates the batches of every task that has completed by now, in completion
    /// order. Called before anything reads batches, so they appear exactly when
    /// their task reads `complete`.
    func materialiseBatches() {
        let at = nowMs
        let due = unfinishedTaskIDs.compactMap { tasks[$0] }
            .filter { $0.finishedAtMs <= at }
            .sorted { ($0.finishedAtMs, $0.id) < ($1.finishedAtMs, $1.id) }
        for task in due {
            unfinishedTaskIDs.remove(task.id)
            guard !task.willFail else { continue }
            for _ in 0..<task.batchCount {
                let batch = makeBatch(for: task)
                batchIndexByID[batch.full.id] = batches.count
                batchIndicesByLedger[batch.ledgerID, default: []].append(batches.count)
                batches.append(batch)
            }
        }
    }

    /// The UTC month (English, three letters) and year of `ms`, e.g. `("Jan", 2025)`:
    /// the prefix of a batch's tracking id.
    static func monthAndYear(milliseconds ms: Int64) -> (month: String, year: Int) {
        let days = ms >= 0 ? ms / 86_400_000 : (ms + 1) / 86_400_000 - 1
        let (year, month, _) = CivilDate.fromDays(days)
        let names = ["Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec"]
        return (names[month - 1], year)
    }

    private func makeBatch(for task: SimulatedTask) -> StoredBatch {
        let sequence = batches.count + 1
        var hash = SplitMix64.mix(config.seed ^ (UInt64(sequence) &* 0x9E37_79B9_7F4A_7C15))
        var id = Self.batchID(hash)
        while batchIndexByID[id] != nil {
            hash = SplitMix64.mix(hash)
            id = Self.batchID(hash)
        }
        let startMs = UTCTimestamp.parseMilliseconds(task.startTime) ?? 0
        let endMs = UTCTimestamp.parseMilliseconds(task.endTime) ?? 0
        let (month, year) = Self.monthAndYear(milliseconds: startMs)
        let prefix = "\(month)-\(year)-"
        let ordinal = trackingCounters[task.ledgerID + " " + prefix, default: 0] + 1
        trackingCounters[task.ledgerID + " " + prefix] = ordinal
        let trackingID = prefix + String(repeating: "0", count: max(0, 3 - String(ordinal).count)) + String(ordinal)
        let value = Double((hash >> 20) % 100_000) / 100
        let created = UTCTimestamp.format(milliseconds: task.finishedAtMs)
        let ledger = ledgersByID[task.ledgerID]?.ledger
        let full = BatchShape.full(
            id: id, trackingID: trackingID, startTime: task.startTime, endTime: task.endTime,
            createdAt: created, value: value, sequence: sequence, taskID: task.id,
            outputName: ledger?.name ?? task.ledgerID, unit: ledger?.unit ?? "t"
        )
        return StoredBatch(
            ledgerID: task.ledgerID, sequence: sequence, createdAtMs: task.finishedAtMs,
            startMs: startMs, endMs: endMs, full: full
        )
    }

    /// `bat_` and 12 hex digits, like the seeds' `bat_abc123def456`.
    private static func batchID(_ hash: UInt64) -> String {
        let hex = String(hash, radix: 16)
        return "bat_" + (String(repeating: "0", count: max(0, 16 - hex.count)) + hex).prefix(12)
    }

    /// Creates a batch on a ledger as if someone generated it in the Mangrove app (outside
    /// any scheduler): no task, no request in the log. Returns it.
    func createAppBatch(ledgerID: String, startTime: String, endTime: String) -> Batch? {
        guard let startMs = UTCTimestamp.parseMilliseconds(startTime), let endMs = UTCTimestamp.parseMilliseconds(endTime) else {
            return nil
        }
        materialiseBatches()
        let sequence = batches.count + 1
        var hash = SplitMix64.mix(config.seed ^ 0xA99 ^ (UInt64(sequence) &* 0x9E37_79B9_7F4A_7C15))
        var id = Self.batchID(hash)
        while batchIndexByID[id] != nil {
            hash = SplitMix64.mix(hash)
            id = Self.batchID(hash)
        }
        let ledger = ledgersByID[ledgerID]?.ledger
        let full = BatchShape.full(
            id: id, trackingID: "APP-\(sequence)", startTime: startTime, endTime: endTime,
            createdAt: UTCTimestamp.format(milliseconds: nowMs), value: 1, sequence: sequence, taskID: 0,
            outputName: ledger?.name ?? ledgerID, unit: ledger?.unit ?? "t"
        )
        let batch = StoredBatch(ledgerID: ledgerID, sequence: sequence, createdAtMs: nowMs, startMs: startMs, endMs: endMs, full: full)
        batchIndexByID[id] = batches.count
        batchIndicesByLedger[ledgerID, default: []].append(batches.count)
        batches.append(batch)
        return full
    }

    /// Batches of a ledger in creation order (the full shape).
    func batches(ledgerID: String) -> [Batch] {
        materialiseBatches()
        return (batchIndicesByLedger[ledgerID] ?? []).map { batches[$0].full }
    }

    private func listBatches(ledgerID: String, query: [String: String]) -> SimulatorReply {
        materialiseBatches()
        let listing: BatchListing
        switch BatchListing.parse(query) {
        case .failure(let problem): return .error(400, messages: problem.messages)
        case .success(let parsed): listing = parsed
        }
        let own = (batchIndicesByLedger[ledgerID] ?? []).map { batches[$0] }
        let (page, meta) = listing.apply(to: own)
        return .json(200, ListResponse(data: page.map(\.listEntry), meta: meta))
    }
}
