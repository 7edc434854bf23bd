import ArgumentParser
import MangroveClient

/// `mangrove-scheduler`: keeps Mangrove ledgers' batch generations up to date.
@main
struct MangroveSchedulerCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mangrove-scheduler",
        abstract: "Fires one Mangrove batch generation for every closed accounting period, exactly once.",
        version: MangroveSchedulerVersion.string,
        subcommands: [RunCommand.self, CheckCommand.self, PlanCommand.self, JournalCommand.self, RetryCommand.self, PauseCommand.self, ResumeCommand.self, DemoCommand.self]
    )
}

/// `--config FILE`, shared by the commands that read a schedule.
struct ConfigOption: ParsableArguments {
    @Option(name: .long, help: ArgumentHelp("The schedule (JSON).", valueName: "file"))
    var config: String = "/etc/mangrove-scheduler/schedule.json"
}
