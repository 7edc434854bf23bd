import ArgumentParser
import Foundation
import Logging
import SchedulerDaemon
import Systemd

struct RunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Run the daemon (foreground; under systemd as a Type=notify service).",
        discussion: """
            The API token is never in the schedule. It is read from $CREDENTIALS_DIRECTORY/mangrove-api-token \
            (systemd LoadCredential=), else the file named by api.token_file, else the environment variable \
            MANGROVE_API_TOKEN.

            The journal's folder must exist (the systemd StateDirectory is created by systemd); a missing one \
            is refused rather than starting a fresh, empty journal.

            Exit codes: 0 after SIGTERM/SIGINT; 78 (EX_CONFIG) for an invalid schedule, a missing token or a \
            missing journal folder (the unit's RestartPreventExitStatus=78 stops the crash loop); 1 for \
            anything else, such as another daemon holding the journal lock.
            """)

    @OptionGroup var options: ConfigOption
    @Option(help: "Lowest log level.")
    var logLevel: Logger.Level = .info

    func run() async throws {
        LogDestination.bootstrap(identifier: "mangrove-scheduler", level: logLevel)
        let logger = Logger(label: "mangrove-scheduler")
        let environment = ProcessInfo.processInfo.environment
        // Read once: for the pre-flight check here and for the daemon (a schedule of
        // thousands of ledgers takes a noticeable part of the start-up to decode).
        let loaded = try? ScheduleFile.load(path: options.config, now: Date())
        if let schedule = loaded?.schedule,
           let refusal = SchedulePreflight.journalFolderRefusal(journalPath: schedule.journalPath, environment: environment) {
            logger.critical("\(options.config): journal_path: \(refusal)", metadata: ["mangrove_event": "start_failed"])
            let notifier = SystemdNotifier()
            try? notifier.status("fatal: journal_path: \(refusal); exiting")
            try? notifier.stopping()
            throw ExitCode(78)
        }
        let daemon = Daemon(configPath: options.config, environment: environment, logger: logger, notifier: SystemdNotifier(), loaded: loaded)
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
