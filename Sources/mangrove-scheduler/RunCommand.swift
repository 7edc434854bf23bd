import ArgumentParser
import Foundation
import Logging
import SchedulerDaemon
import Systemd

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon (foreground; under systemd as a Type=notify service).")

    @OptionGroup var options: ConfigOption
    @Option(help: "Lowest log level: trace, debug, info, notice, warning, error, critical.")
    var logLevel: String = "info"

    func run() async throws {
        let level = Logger.Level(rawValue: logLevel) ?? .info
        LogDestination.bootstrap(identifier: "mangrove-scheduler", level: level)
        let logger = Logger(label: "mangrove-scheduler")
        let environment = ProcessInfo.processInfo.environment
        let daemon = Daemon(configPath: options.config, environment: environment, logger: logger, notifier: SystemdNotifier())
        do {
            try await daemon.run()
        } catch let error as DaemonError {
            for line in error.description.split(separator: "\n") {
                logger.critical("\(line)", metadata: ["mangrove_event": "start_failed"])
            }
            throw ExitCode(error.exitCode)
        }
    }
}
