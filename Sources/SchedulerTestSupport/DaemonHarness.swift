import AsyncHTTPClient
import Foundation
import Synchronization
import Logging
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import SchedulerMetrics
import ServiceLifecycle
import Systemd

/// Runs the real daemon code against an in-process simulator on 127.0.0.1 in virtual
/// time: one `VirtualClock` drives both, so tasks progress and polls fire exactly when
/// the test moves time, and no test waits in real time.
public struct DaemonHarness: Sendable {
    public let sim: SimulatorHandle
    public let clock: VirtualClock
    public let folder: TemporaryFolder
    public var schedulePath: String { folder.file("schedule.json") }
    public var journalPath: String { folder.file("journal.jsonl") }

    /// Starts a simulator with `config` at virtual time `start` and runs `body`.
    public static func with<T: Sendable>(
        config: SimulatorConfig, start: Date, _ body: @Sendable (DaemonHarness) async throws -> T
    ) async throws -> T {
        let clock = VirtualClock(now: start)
        let folder = try TemporaryFolder()
        defer { folder.remove() }
        var logger = Logger(label: "mangrove-sim")
        logger.logLevel = .critical
        return try await withSimulator(config: config, now: { clock.now() }, logger: logger) { sim in
            try await body(DaemonHarness(sim: sim, clock: clock, folder: folder))
        }
    }

    /// Writes the schedule with the given ledger objects (JSON text) and extra top-level members.
    public func writeSchedule(ledgers: [String], extra: String = "") throws {
        let text = """
            {
              "api": { "base_url": "\(sim.baseURL)" },
              "journal_path": "journal.jsonl",
              \(extra.isEmpty ? "" : extra + ",")
              "ledgers": [\(ledgers.joined(separator: ",\n"))]
            }
            """
        try text.write(toFile: schedulePath, atomically: true, encoding: .utf8)
    }

    /// `log`: where the daemon's log lines go (all levels); by default they are dropped.
    public func daemon(notifier: any SystemdNotifying = RecordingNotifier(), token: String? = nil, seed: UInt64 = 42, log: RecordingLog? = nil) -> Daemon {
        var logger = Logger(label: "mangrove-scheduler-test")
        logger.logLevel = ProcessInfo.processInfo.environment["MANGROVE_TEST_LOG"] == nil ? .critical : .debug
        if let log { logger = log.logger() }
        let clock = self.clock
        let state = Mutex(seed)
        return Daemon(
            configPath: schedulePath, environment: ["MANGROVE_API_TOKEN": token ?? sim.config.token], logger: logger,
            notifier: notifier, clock: clock, handleSignals: false,
            random: {
                state.withLock { s in
                    s &+= 0x9E37_79B9_7F4A_7C15
                    var z = s
                    z = (z ^ (z >> 30)) &* 0xBF58_476D_1CE4_E5B9
                    z = (z ^ (z >> 27)) &* 0x94D0_49BB_1331_11EB
                    return z ^ (z >> 31)
                }
            },
            apiSleep: { duration in clock.advance(by: duration.seconds) })
    }

    /// Prepares and starts a daemon; throws what `Daemon.prepare()` throws.
    public func launch(notifier: any SystemdNotifying = RecordingNotifier(), token: String? = nil, log: RecordingLog? = nil) async throws -> RunningDaemon {
        let port = Mutex<Int?>(nil)
        var daemon = daemon(notifier: notifier, token: token, log: log)
        daemon.onMetricsListening = { p in port.withLock { $0 = p } }
        let (scheduler, httpClient) = try daemon.prepare()
        let running = RunningDaemon(
            scheduler: scheduler, services: await daemon.services(for: scheduler), httpClient: httpClient, clock: clock,
            metrics: daemon.metrics, metricsPort: { port.withLock { $0 } })
        await scheduler.waitUntilRunning()
        return running
    }
}

/// A daemon running in a `ServiceGroup` inside the test process.
public final class RunningDaemon: Sendable {
    public let scheduler: Scheduler
    let group: ServiceGroup
    let task: Task<Void, any Error>
    let httpClient: HTTPClient?
    let clock: VirtualClock
    /// The daemon's metrics registry (what `/metrics` serves).
    public let metrics: SchedulerMetrics
    private let port: @Sendable () -> Int?

    init(
        scheduler: Scheduler, services: [ServiceGroupConfiguration.ServiceConfiguration], httpClient: HTTPClient?,
        clock: VirtualClock, metrics: SchedulerMetrics, metricsPort: @escaping @Sendable () -> Int?
    ) {
        self.scheduler = scheduler
        self.clock = clock
        self.httpClient = httpClient
        self.metrics = metrics
        self.port = metricsPort
        var logger = Logger(label: "group")
        logger.logLevel = .critical
        let group = ServiceGroup(configuration: .init(services: services, gracefulShutdownSignals: [], logger: logger))
        self.group = group
        self.task = Task { try await group.run() }
    }

    /// Moves virtual time from wake-up to wake-up until `done` holds for the journal
    /// state, nothing is scheduled, or `maxSteps` / `maxVirtualSeconds` run out.
    @discardableResult
    public func drive(
        maxSteps: Int = 20_000, maxVirtualSeconds: TimeInterval = 90 * 86_400,
        until done: @Sendable (JournalState) -> Bool
    ) async -> JournalState {
        let limit = clock.now().addingTimeInterval(maxVirtualSeconds)
        var state = JournalState()
        for _ in 0..<maxSteps {
            await scheduler.poke()
            await scheduler.settle()
            let snapshot = await scheduler.snapshot
            state = snapshot.state
            if done(state) { break }
            guard let next = snapshot.nextWakeup, next <= limit else { break }
            clock.advance(to: max(next, clock.now()))
        }
        return state
    }

    /// The port `/metrics` listens on (`metrics.listen` with port 0), once it does; waits
    /// at most 10 s of real time for the loopback server to bind.
    public func metricsPort() async -> Int? {
        for _ in 0..<1000 {
            if let p = port() { return p }
            try? await Task.sleep(for: .milliseconds(10))
        }
        return nil
    }

    /// Graceful stop (SIGTERM's path): waits for the service group to finish.
    public func stop() async throws {
        await group.triggerGracefulShutdown()
        let result = await task.result
        try await httpClient?.shutdown()
        try result.get()
    }

    /// An unclean stop: the daemon's task is cancelled wherever it is.
    public func crash() async {
        task.cancel()
        _ = try? await task.value
        try? await httpClient?.shutdown()
    }
}
