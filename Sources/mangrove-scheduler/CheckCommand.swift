import ArgumentParser
import AsyncHTTPClient
import Foundation
import Logging
import MangroveClient
import SchedulerCore
import SchedulerDaemon

struct CheckCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "check",
        abstract: "Validate the schedule: exit 0 if valid, 1 with one line per problem.")

    @OptionGroup var options: ConfigOption
    @Flag(help: "Also ask the API whether each ledger exists, has a model, and which inputs are manual.")
    var online = false

    func run() async throws {
        let schedule: Schedule
        do {
            let (loaded, warnings) = try ScheduleFile.load(path: options.config)
            for w in warnings { printError(w.formatted(file: options.config)) }
            schedule = loaded
        } catch {
            for p in error.problems { printError(p.formatted(file: error.file)) }
            throw ExitCode(1)
        }
        let host = SchedulePreflight.problems(schedule: schedule, environment: ProcessInfo.processInfo.environment)
        for p in host { printError(p.formatted(file: options.config)) }
        if host.contains(where: { $0.severity == .error }) { throw ExitCode(1) }
        let cadences = Cadence.allCases.compactMap { c in
            let n = schedule.ledgers.filter { $0.cadence == c }.count
            return n == 0 ? nil : "\(n) \(c)"
        }
        var summary = "\(options.config): valid; \(Plural.count(schedule.ledgers.count, "ledger")) (\(cadences.joined(separator: ", "))); journal \(schedule.journalPath)"
        if let listen = schedule.metrics.listen { summary += "; metrics at http://\(listen)/metrics" }
        print(summary)
        guard online else { return }
        try await checkOnline(schedule)
    }

    private func checkOnline(_ schedule: Schedule) async throws {
        let token: APIToken
        do {
            token = try APIToken.resolve(environment: ProcessInfo.processInfo.environment, tokenFile: schedule.api.tokenFile)
        } catch {
            printError("--online: \(error)")
            throw ExitCode(1)
        }
        let configuration = APIClientConfiguration(baseURL: schedule.api.baseURL, connectTimeout: schedule.api.connectTimeout, requestTimeout: schedule.api.requestTimeout)
        let client = HTTPClient(eventLoopGroup: HTTPClient.defaultEventLoopGroup, configuration: configuration.httpClientConfiguration)
        let api = HTTPBatchAPI(configuration: configuration, token: token, httpClient: client, logger: Logger(label: "check"))
        var problems = 0
        do {
            let statuses = try await APIOnlineCheck(api: api).run(ledgerIDs: schedule.ledgers.map(\.id))
            for s in statuses {
                if !s.exists {
                    problems += 1
                    printError("\(s.ledgerID): not found on the API (GET /ledgers)")
                    continue
                }
                if !s.hasLatestModel {
                    problems += 1
                    printError("\(s.ledgerID): has no latest_model; batch generation needs a linked model")
                }
                let manual = s.requiredInputs.filter(\.isManualSelect).map(\.name)
                var line = "\(s.ledgerID): exists (\(s.name ?? "unnamed")), model \(s.latestModel?.id ?? "none"), \(s.requiredInputs.count) required inputs"
                if !manual.isEmpty { line += "; manual-select inputs (need data_point_ids): \(manual.joined(separator: ", "))" }
                if let e = s.requiredInputsError { line += "; required_inputs failed: \(e)" }
                print(line)
            }
        } catch {
            try? await client.shutdown()
            printError("--online: \(error)")
            throw ExitCode(1)
        }
        try? await client.shutdown()
        if problems > 0 { throw ExitCode(1) }
    }
}

func printError(_ line: String) {
    FileHandle.standardError.write(Data((line + "\n").utf8))
}
