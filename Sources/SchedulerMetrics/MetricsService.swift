import Foundation
import Hummingbird
import Logging
import NIOCore
import SchedulerCore
import ServiceLifecycle

/// Serves `SchedulerMetrics` at `http://LISTEN/metrics` (`metrics.listen`, loopback only)
/// and rewrites `metrics.textfile` every `textfileInterval`. A `Service`: the daemon adds
/// it to its `ServiceGroup` next to the scheduler; with neither setting it returns at once
/// without ending the group (`.successTermination: .ignore` is how the daemon adds it).
public struct MetricsService: Service {
    public let metrics: SchedulerMetrics
    public let settings: MetricsSettings
    public let textfileInterval: Duration
    private let logger: Logger
    private let sleep: @Sendable (Duration) async throws -> Void
    private let onListening: @Sendable (Int) async -> Void

    /// - Parameters:
    ///   - sleep: waits between textfile writes (tests pass a virtual clock's sleep).
    ///   - onListening: receives the bound port (port 0 picks a free one).
    public init(
        metrics: SchedulerMetrics, settings: MetricsSettings, textfileInterval: Duration = .seconds(15),
        logger: Logger, sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        onListening: @escaping @Sendable (Int) async -> Void = { _ in }
    ) {
        self.metrics = metrics
        self.settings = settings
        self.textfileInterval = textfileInterval
        self.logger = logger
        self.sleep = sleep
        self.onListening = onListening
    }

    public func run() async throws {
        try await withThrowingDiscardingTaskGroup { group in
            if let listen = settings.listen {
                let app = Self.application(metrics: metrics, listen: listen, logger: logger, onListening: onListening)
                group.addTask { try await app.run() }
            }
            if let path = settings.textfile {
                let metrics = self.metrics, interval = textfileInterval, sleep = self.sleep, logger = self.logger
                group.addTask {
                    try await cancelWhenGracefulShutdown {
                        var failing = false
                        while !Task.isCancelled {
                            do {
                                try MetricsTextfile.write(metrics.render(), to: path)
                                if failing { logger.notice("metrics textfile \(path) written again") }
                                failing = false
                            } catch {
                                // Logged once per failure streak; the HTTP endpoint is unaffected.
                                if !failing { logger.warning("\(error)", metadata: ["mangrove_event": "metrics_textfile_failed"]) }
                                failing = true
                            }
                            try await sleep(interval)
                        }
                    }
                }
            }
        }
    }

    /// The `/metrics` endpoint as a Hummingbird application (also used by tests in-process).
    static func application(
        metrics: SchedulerMetrics, listen: ListenAddress, logger: Logger, onListening: @escaping @Sendable (Int) async -> Void
    ) -> some ApplicationProtocol {
        let router = Router()
        router.get("/metrics") { _, _ -> Response in
            Response(
                status: .ok,
                headers: [.contentType: "text/plain; version=0.0.4; charset=utf-8"],
                body: ResponseBody(byteBuffer: ByteBuffer(string: metrics.render())))
        }
        router.get("/") { _, _ -> Response in
            Response(status: .ok, headers: [.contentType: "text/plain; charset=utf-8"],
                     body: ResponseBody(byteBuffer: ByteBuffer(string: "mangrove-scheduler metrics: /metrics\n")))
        }
        var serverLogger = logger
        serverLogger.logLevel = max(logger.logLevel, .notice)
        return Application(
            router: router,
            configuration: ApplicationConfiguration(address: .hostname(listen.host, port: listen.port), serverName: nil),
            onServerRunning: { channel in await onListening(channel.localAddress?.port ?? listen.port) },
            logger: serverLogger)
    }
}
