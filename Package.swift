// swift-tools-version:6.0
import PackageDescription

let package = Package(
    name: "mangrove-scheduler",
    platforms: [.macOS(.v14)],
    products: [
        .executable(name: "mangrove-scheduler", targets: ["mangrove-scheduler"]),
        .executable(name: "mangrove-sim", targets: ["mangrove-sim"]),
        .library(name: "SchedulerCore", targets: ["SchedulerCore"]),
        .library(name: "MangroveSimulator", targets: ["MangroveSimulator"]),
    ],
    dependencies: [
        .package(url: "https://github.com/apple/swift-argument-parser", from: "1.5.0"),
        .package(url: "https://github.com/apple/swift-log", from: "1.6.0"),
        .package(url: "https://github.com/swift-server/swift-service-lifecycle", from: "2.6.0"),
        .package(url: "https://github.com/swift-server/async-http-client", from: "1.24.0"),
        .package(url: "https://github.com/hummingbird-project/hummingbird", from: "2.5.0"),
        .package(url: "https://github.com/apple/swift-metrics", from: "2.13.0"),
        .package(url: "https://github.com/apple/swift-nio", from: "2.80.0"),
        .package(url: "https://github.com/swift-server/swift-prometheus", from: "2.4.1"),
    ],
    targets: [
        // Pure core: schedule, periods, backoff, journal codec and replay, per-period state machine.
        // No I/O, never reads a clock: `now` and random numbers are arguments.
        .target(name: "SchedulerCore"),

        // The Mangrove API's payloads, shared by the client and the simulator.
        .target(name: "MangroveAPI"),

        // The HTTP client (AsyncHTTPClient) with retry classification.
        .target(
            name: "MangroveClient",
            dependencies: [
                "MangroveAPI", "SchedulerCore",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The Mangrove API simulator (Hummingbird 2), with fault injection.
        .target(
            name: "MangroveSimulator",
            dependencies: [
                "MangroveAPI", "SchedulerCore",
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // Prometheus metrics: a registry owned by the daemon (no global bootstrap), a typed API the
        // scheduler calls, the loopback /metrics server and the node_exporter textfile writer.
        .target(
            name: "SchedulerMetrics",
            dependencies: [
                "SchedulerCore", "MangroveClient",
                .product(name: "Metrics", package: "swift-metrics"),
                .product(name: "Prometheus", package: "swift-prometheus"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "NIOCore", package: "swift-nio"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // libsystemd: sd_notify, sd_watchdog_enabled, sd_journal_sendv.
        .systemLibrary(
            name: "CSystemd",
            pkgConfig: "libsystemd",
            providers: [.apt(["libsystemd-dev"])]
        ),
        .target(
            name: "Systemd",
            dependencies: [
                "CSystemd",
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        // The daemon's wiring: journal file, scheduler service, reload, watchdog.
        .target(
            name: "SchedulerDaemon",
            dependencies: [
                "SchedulerCore", "MangroveAPI", "MangroveClient", "Systemd", "SchedulerMetrics",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "UnixSignals", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),

        .executableTarget(
            name: "mangrove-scheduler",
            dependencies: [
                "SchedulerDaemon", "SchedulerCore", "SchedulerMetrics", "MangroveSimulator", "MangroveClient", "Systemd",
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "mangrove-sim",
            dependencies: [
                "MangroveSimulator", "MangroveClient",
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "ArgumentParser", package: "swift-argument-parser"),
                .product(name: "Hummingbird", package: "hummingbird"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .executableTarget(
            name: "mangrove-bench",
            dependencies: [
                "SchedulerCore", "SchedulerDaemon", "MangroveSimulator", "MangroveClient",
                .product(name: "Logging", package: "swift-log"),
            ],
            path: "Benchmarks/mangrove-bench"
        ),

        // Test helpers (daemon harness, recording log and notifier, temporary folders); only test targets
        // depend on it. The virtual clock and the simulator the harness drives live in SchedulerDaemon and
        // MangroveSimulator, which `mangrove-scheduler demo` links into production.
        .target(
            name: "SchedulerTestSupport",
            dependencies: [
                "SchedulerCore", "MangroveAPI", "MangroveClient", "MangroveSimulator", "SchedulerDaemon", "SchedulerMetrics", "Systemd",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),

        .testTarget(name: "SchedulerCoreTests", dependencies: ["SchedulerCore"]),
        .testTarget(
            name: "MangroveSimulatorTests",
            dependencies: [
                "MangroveSimulator", "MangroveAPI",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
        .testTarget(
            name: "MangroveClientTests",
            dependencies: [
                "MangroveClient", "MangroveAPI", "MangroveSimulator", "SchedulerTestSupport",
                .product(name: "Hummingbird", package: "hummingbird"),
            ]
        ),
        .testTarget(
            name: "SchedulerMetricsTests",
            dependencies: [
                "SchedulerMetrics", "SchedulerCore", "MangroveClient", "MangroveSimulator", "SchedulerTestSupport",
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
                .product(name: "ServiceLifecycle", package: "swift-service-lifecycle"),
                .product(name: "Logging", package: "swift-log"),
            ]
        ),
        .testTarget(name: "SystemdTests", dependencies: ["Systemd", .product(name: "Logging", package: "swift-log")]),
        .testTarget(
            name: "SchedulerDaemonTests",
            dependencies: [
                "SchedulerDaemon", "SchedulerCore", "MangroveSimulator", "MangroveClient", "SchedulerTestSupport", "MangroveAPI",
                .product(name: "Logging", package: "swift-log"),
                .product(name: "AsyncHTTPClient", package: "async-http-client"),
            ]
        ),
    ]
)
