import AsyncHTTPClient
import Foundation
import Logging
import MangroveAPI
import MangroveClient
import SchedulerCore
import SchedulerMetrics
import ServiceLifecycle
import Systemd

/// Wires the daemon from a schedule file: token, journal lock, HTTP client, scheduler and
/// signal handling in one `ServiceGroup`. Used by `mangrove-scheduler run` and by the
/// integration tests (which pass their own clock and notifier).
public struct Daemon: Sendable {
    public var configPath: String
    public var environment: [String: String]
    public var logger: Logger
    public var notifier: any SystemdNotifying
    public var clock: any SchedulerClock
    public var handleSignals: Bool
    /// Overrides the API (tests); nil builds `HTTPBatchAPI` from the schedule.
    public var api: (any BatchAPI)?
    public var random: @Sendable () -> UInt64
    /// How the API client waits between retries (tests advance a virtual clock instead).
    public var apiSleep: @Sendable (Duration) async throws -> Void
    /// The daemon's metrics (served when the schedule sets `metrics.listen` or `metrics.textfile`).
    public let metrics = SchedulerMetrics(version: MangroveSchedulerVersion.string)
    /// Told the port `/metrics` is served on once it listens (tests use port 0).
    public var onMetricsListening: @Sendable (Int) async -> Void = { _ in }

    /// The schedule as the caller already loaded it (`run` reads it once, for its
    /// pre-flight check and for the daemon); nil: `prepare` loads it.
    let preloaded: (schedule: Schedule, warnings: [ScheduleProblem])?

    public init(
        configPath: String, environment: [String: String], logger: Logger, notifier: any SystemdNotifying,
        clock: any SchedulerClock = SystemSchedulerClock(), handleSignals: Bool = true, api: (any BatchAPI)? = nil,
        random: @escaping @Sendable () -> UInt64 = { UInt64.random(in: .min ... .max) },
        apiSleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        loaded: (schedule: Schedule, warnings: [ScheduleProblem])? = nil
    ) {
        self.preloaded = loaded
        self.apiSleep = apiSleep
        self.configPath = configPath
        self.environment = environment
        self.logger = logger
        self.notifier = notifier
        self.clock = clock
        self.handleSignals = handleSignals
        self.api = api
        self.random = random
    }

    /// Loads everything that can fail before READY and returns a scheduler ready to run,
    /// plus the HTTP client the caller must shut down.
    public func prepare() throws(DaemonError) -> (scheduler: Scheduler, httpClient: HTTPClient?) {
        let loaded: (schedule: Schedule, warnings: [ScheduleProblem])
        if let preloaded {
            loaded = preloaded
        } else {
            do {
                loaded = try ScheduleFile.load(path: configPath, now: clock.wallNow())
            } catch {
                throw .schedule(error)
            }
        }
        for w in loaded.warnings {
            logger.warning("\(w.formatted(file: configPath))", metadata: ["mangrove_event": "schedule_warning"])
        }
        let schedule = loaded.schedule
        // Metrics are kept only when something exports them: registering every ledger's
        // series costs time at start-up (swift-prometheus copies a label table per series).
        let exported = schedule.metrics.listen != nil || schedule.metrics.textfile != nil
        let metrics = exported ? self.metrics : nil
        var httpClient: HTTPClient?
        let api: any BatchAPI
        if let injected = self.api {
            api = injected
        } else {
            let token: APIToken
            do {
                token = try APIToken.resolve(environment: environment, tokenFile: schedule.api.tokenFile)
            } catch {
                throw .token(error)
            }
            let configuration = APIClientConfiguration(
                baseURL: schedule.api.baseURL, connectTimeout: schedule.api.connectTimeout,
                requestTimeout: schedule.api.requestTimeout)
            let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration.httpClientConfiguration)
            httpClient = client
            api = HTTPBatchAPI(
                configuration: configuration, token: token, httpClient: client, logger: logger, sleep: apiSleep,
                now: { [clock] in clock.wallNow() }, random: random, requestRecorder: metrics)
        }
        let journal: JournalFile
        do {
            journal = try JournalFile(path: schedule.journalPath)
        } catch {
            try? httpClient?.syncShutdown()
            throw .journal(error)
        }
        let configPath = self.configPath
        let dependencies = Scheduler.Dependencies(
            api: api, clock: clock, notifier: notifier, logger: logger, random: random,
            reloadSchedule: { try ScheduleFile.load(path: configPath).schedule },
            testFault: TestFault(environment: environment), metrics: metrics)
        return (Scheduler(schedule: schedule, journal: journal, dependencies: dependencies), httpClient)
    }

    /// The services of the daemon's `ServiceGroup`: the scheduler (its end ends the group),
    /// SIGHUP handling, and `/metrics` or the metrics textfile when the schedule asks.
    public func services(for scheduler: Scheduler) async -> [ServiceGroupConfiguration.ServiceConfiguration] {
        var services: [ServiceGroupConfiguration.ServiceConfiguration] = [
            .init(service: SchedulerService(scheduler: scheduler), successTerminationBehavior: .gracefullyShutdownGroup, failureTerminationBehavior: .gracefullyShutdownGroup),
        ]
        if handleSignals {
            services.append(.init(service: ReloadSignalService(scheduler: scheduler)))
        }
        let settings = await scheduler.metricsSettings
        if settings.listen != nil || settings.textfile != nil {
            let clock = self.clock
            services.append(.init(
                service: MetricsService(
                    metrics: metrics, settings: settings, logger: logger, sleep: { try await clock.sleep(until: clock.now().addingTimeInterval($0.seconds)) },
                    onListening: onMetricsListening),
                successTerminationBehavior: .ignore, failureTerminationBehavior: .gracefullyShutdownGroup))
        }
        return services
    }

    /// Runs until SIGTERM/SIGINT (graceful) or a fatal error.
    public func run() async throws {
        let scheduler: Scheduler
        let httpClient: HTTPClient?
        do {
            (scheduler, httpClient) = try prepare()
        } catch {
            // E.g. the journal is locked by another daemon: say so in `systemctl status`.
            FatalNotice.send(error, to: notifier)
            throw error
        }
        let group = ServiceGroup(configuration: .init(
            services: await services(for: scheduler), gracefulShutdownSignals: handleSignals ? [.sigterm, .sigint] : [],
            logger: logger))
        do {
            try await group.run()
        } catch {
            try? await httpClient?.shutdown()
            throw error
        }
        try? await httpClient?.shutdown()
    }
}
