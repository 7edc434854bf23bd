import Foundation
import Hummingbird
import Logging
import ServiceLifecycle

/// The simulator as a `Service`, so it runs in a `ServiceGroup` next to the daemon
/// (tests, demo) or alone (`mangrove-sim`), and shuts down with the group.
public struct MangroveSimulatorServer: Service {
    public let config: SimulatorConfig
    public let host: String
    public let port: Int
    private let state: SimulatorState
    private let logger: Logger
    private let onListening: @Sendable (SimulatorHandle) async -> Void

    /// - Parameters:
    ///   - port: 0 picks a free port; `onListening` receives the bound one.
    ///   - now: the simulator's clock; task progression is a function of it.
    ///   - onListening: called once the socket is bound, with a handle on the running simulator.
    /// - Throws: `SimulatorConfigError` when `config` is invalid.
    public init(
        config: SimulatorConfig, host: String = "127.0.0.1", port: Int = 0,
        now: @escaping @Sendable () -> Date = { Date() },
        logger: Logger = Logger(label: "mangrove-sim"),
        onListening: @escaping @Sendable (SimulatorHandle) async -> Void = { _ in }
    ) throws {
        let problems = config.validate()
        if !problems.isEmpty { throw SimulatorConfigError(path: nil, problems: problems) }
        self.config = config
        self.host = host
        self.port = port
        self.state = SimulatorState(config: config, now: now)
        self.logger = logger
        self.onListening = onListening
    }

    public func run() async throws {
        let state = self.state
        let host = self.host
        let requestedPort = self.port
        let onListening = self.onListening
        let app = Application(
            responder: SimulatorResponder(state: state, logger: logger),
            configuration: ApplicationConfiguration(address: .hostname(host, port: requestedPort), serverName: nil),
            onServerRunning: { channel in
                let bound = channel.localAddress?.port ?? requestedPort
                await onListening(SimulatorHandle(host: host, port: bound, state: state))
            },
            logger: logger
        )
        try await app.run()
    }
}
