import Foundation
import Logging
import MangroveSimulator
import SchedulerCore
import SchedulerDaemon
import Systemd
#if canImport(Glibc)
import Glibc
#endif

/// Benchmarks that print a table; never part of the test suite.
///
///     mangrove-bench startup [--ledgers N] [--lines N] [--daemon PATH]   (default: 10,000 ledgers with 0, 1 M and 3 M lines, then 50,000 with 1 M)
///     mangrove-bench polling [--task-seconds N] [--periods N]   (default: 10, 60, 300 and 1800 s)
///     mangrove-bench requests [--catch-up N] [--history N] [--task-seconds N]
@main
struct MangroveBench {
    static func main() async throws {
        var args = Array(CommandLine.arguments.dropFirst())
        let which = args.isEmpty ? "all" : args.removeFirst()
        func option(_ name: String, _ fallback: Int) -> Int {
            guard let i = args.firstIndex(of: name), i + 1 < args.count, let v = Int(args[i + 1]) else { return fallback }
            return v
        }
        func string(_ name: String) -> String? {
            guard let i = args.firstIndex(of: name), i + 1 < args.count else { return nil }
            return args[i + 1]
        }
        LoggingSystem.bootstrap { label in
            var h = StreamLogHandler.standardError(label: label)
            h.logLevel = .critical
            return h
        }
        var rows: [(String, String)] = []
        if which == "startup" || which == "all" {
            let daemon = string("--daemon") ?? siblingExecutable("mangrove-scheduler")
            let lines = option("--lines", -1)
            rows += try StartupBench(ledgers: option("--ledgers", 10_000), sizes: lines >= 0 ? [lines] : [0, 1_000_000, 3_000_000], daemonPath: daemon).run()
            if lines < 0, option("--ledgers", 0) == 0 {
                // The wide case: many ledgers, a journal of the same size.
                rows += try StartupBench(ledgers: 50_000, sizes: [1_000_000], daemonPath: daemon).run()
            }
        }
        if which == "polling" || which == "all" {
            let one = option("--task-seconds", 0)
            rows += try await PollingBench(durations: one > 0 ? [Double(one)] : [10, 60, 300, 1800], periods: option("--periods", 12)).run()
        }
        if which == "requests" || which == "all" {
            rows += try await RequestsBench(
                catchUp: option("--catch-up", 100), history: option("--history", 30),
                taskSeconds: Double(option("--task-seconds", 10))
            ).run()
        }
        let width = rows.map(\.0.count).max() ?? 10
        print("\n" + "measure".padding(toLength: width, withPad: " ", startingAt: 0) + "  value")
        print(String(repeating: "-", count: width) + "  " + String(repeating: "-", count: 24))
        for (k, v) in rows { print(k.padding(toLength: width, withPad: " ", startingAt: 0) + "  " + v) }
    }

    static func siblingExecutable(_ name: String) -> String {
        let me = URL(fileURLWithPath: CommandLine.arguments[0]).resolvingSymlinksInPath()
        return me.deletingLastPathComponent().appendingPathComponent(name).path
    }
}
