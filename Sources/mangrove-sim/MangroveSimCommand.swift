import ArgumentParser
import Foundation
import Logging
import MangroveClient
import MangroveSimulator
import ServiceLifecycle

/// `mangrove-sim`: the Mangrove API simulator as a standalone loopback server.
/// Prints one line with its base URL once bound, serves until SIGTERM/SIGINT.
@main
struct MangroveSimCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mangrove-sim",
        abstract: "Serve a simulated Mangrove API (with fault injection) on a loopback address.",
        discussion: """
            Once bound, prints exactly one line to stdout:
              mangrove-sim listening on http://127.0.0.1:PORT/api/v1
            Admin endpoints (no token): GET/DELETE /_sim/requests, GET/POST /_sim/faults,
            GET /_sim/tasks, POST /_sim/clock. Stops cleanly (exit 0) on SIGTERM or SIGINT.
            The configuration keys and the /_sim/faults body are listed in docs/simulator.md.
            """,
        version: "mangrove-sim (mangrove-scheduler \(MangroveSchedulerVersion.string))"
    )

    @Option(help: "Address to listen on. Only loopback addresses unless --allow-non-loopback.")
    var host: String = "127.0.0.1"

    @Option(help: "Port to listen on; 0 picks a free port (printed once bound).")
    var port: Int = 0

    @Option(help: "JSON configuration file (see config/sim.example.json).")
    var config: String?

    @Option(help: "Bearer token the API requires (overrides the file's token; default sim-token).")
    var token: String?

    @Option(help: "Seed of every random choice (overrides the file's seed).")
    var seed: UInt64?

    @Flag(help: "Allow listening on an address that is not loopback.")
    var allowNonLoopback = false

    @Option(help: "Log level on stderr.")
    var logLevel: Logger.Level = .info

    func validate() throws {
        if !allowNonLoopback && !Self.isLoopback(host) {
            throw ValidationError("--host \(host) is not a loopback address (127.0.0.0/8, ::1, localhost); pass --allow-non-loopback to listen on it anyway")
        }
        guard (0...65535).contains(port) else {
            throw ValidationError("--port \(port) is outside 0...65535")
        }
        if let token, token.isEmpty { throw ValidationError("--token must not be empty") }
    }

    static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" || host == "[::1]" { return true }
        let octets = host.split(separator: ".", omittingEmptySubsequences: false)
        guard octets.count == 4, octets[0] == "127" else { return false }
        return octets.allSatisfy { UInt8($0) != nil }
    }

    func run() async throws {
        let level = logLevel
        LoggingSystem.bootstrap { label in
            var handler = StreamLogHandler.standardError(label: label)
            handler.logLevel = level
            return handler
        }
        let logger = Logger(label: "mangrove-sim")

        var simulatorConfig = SimulatorConfig()
        do {
            if let config { simulatorConfig = try SimulatorConfig.load(path: config) }
            if let token { simulatorConfig.token = token }
            if let seed { simulatorConfig.seed = seed }
        } catch {
            FileHandle.standardError.write(Data("mangrove-sim: \(error)\n".utf8))
            throw ExitCode(78)  // EX_CONFIG
        }

        let server = try MangroveSimulatorServer(
            config: simulatorConfig, host: host, port: port, logger: logger,
            onListening: { handle in
                FileHandle.standardOutput.write(Data("mangrove-sim listening on \(handle.baseURL)\n".utf8))
            }
        )
        let group = ServiceGroup(
            configuration: .init(services: [server], gracefulShutdownSignals: [.sigterm, .sigint], logger: logger)
        )
        try await group.run()
    }
}
