import Foundation
import Logging
import ServiceLifecycle

/// Why `withSimulator` could not provide a running simulator.
public struct SimulatorStartError: Error, Sendable, CustomStringConvertible {
    public var description: String
}

/// Starts the simulator on `host:port` (port 0 = ephemeral), runs `body` with a
/// handle on it, then shuts the server down cleanly, also when `body` throws.
public func withSimulator<T: Sendable>(
    config: SimulatorConfig,
    host: String = "127.0.0.1",
    port: Int = 0,
    now: @escaping @Sendable () -> Date = { Date() },
    logger: Logger = Logger(label: "mangrove-sim"),
    _ body: @Sendable (SimulatorHandle) async throws -> T
) async throws -> T {
    let (handles, continuation) = AsyncStream<SimulatorHandle>.makeStream()
    let server = try MangroveSimulatorServer(
        config: config, host: host, port: port, now: now, logger: logger,
        onListening: { handle in
            continuation.yield(handle)
            continuation.finish()
        }
    )
    let group = ServiceGroup(configuration: .init(services: [server], logger: logger))
    return try await withThrowingTaskGroup(of: Void.self) { tasks in
        tasks.addTask {
            defer { continuation.finish() }
            try await group.run()
        }
        var iterator = handles.makeAsyncIterator()
        guard let handle = await iterator.next() else {
            // The server ended before it listened: surface its error.
            try await tasks.waitForAll()
            throw SimulatorStartError(description: "mangrove-sim stopped before listening on \(host):\(port)")
        }
        let result: T
        do {
            result = try await body(handle)
        } catch {
            await group.triggerGracefulShutdown()
            try? await tasks.waitForAll()
            throw error
        }
        await group.triggerGracefulShutdown()
        try await tasks.waitForAll()
        return result
    }
}
