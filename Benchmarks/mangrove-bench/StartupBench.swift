import Foundation
import SchedulerCore
#if canImport(Glibc)
import Glibc
#endif

/// Start-up of the real daemon process with a large schedule and journal: time from exec
/// to `READY=1` on a notify socket the benchmark binds, and the process's RSS then, for
/// the first start (no checkpoint: a full replay) and the next one (from the checkpoint
/// the first left); beside it, in the same run and on the same file, `wc -l` (the speed
/// of the disk and page cache) and `mangrove-scheduler journal --ledger` (time and peak
/// RSS) before and after the checkpoint exists.
struct StartupBench {
    let ledgers: Int
    let sizes: [Int]
    let daemonPath: String

    func run() throws -> [(String, String)] {
        var table: [[String]] = [[
            "journal lines", "MiB", "wc -l", "READY (1st)", "RSS (1st)", "READY (next)", "RSS (next)", "peak RSS (next)",
            "SIGTERM→exit", "journal --ledger 1st/next", "its peak RSS",
        ]]
        var rows: [(String, String)] = [("startup: ledgers", "\(ledgers)")]
        for lines in sizes {
            let r = try measure(lines: lines)
            table.append(r)
            rows.append(("startup: \(ledgers) ledgers, \(r[0]) lines", "wc -l \(r[2]), READY \(r[3]) then \(r[5]), RSS \(r[4]) then \(r[6]), journal --ledger \(r[9]) \(r[10])"))
        }
        let widths = (0..<table[0].count).map { c in table.map { $0[c].count }.max() ?? 0 }
        print("\nstart-up: \(ledgers) monthly ledgers (Europe/Berlin)")
        for (i, row) in table.enumerated() {
            print(row.enumerated().map { $1.padding(toLength: widths[$0] + 2, withPad: " ", startingAt: 0) }.joined())
            if i == 0 { print(widths.map { String(repeating: "-", count: $0) + "  " }.joined()) }
        }
        return rows
    }

    private func measure(lines: Int) throws -> [String] {
        let folder = NSTemporaryDirectory() + "/mangrove-bench-\(getpid())-\(lines)"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let schedulePath = folder + "/schedule.json"
        let journalPath = folder + "/journal.jsonl"
        let written = try writeFixtures(schedulePath: schedulePath, journalPath: journalPath, lines: lines)
        let size = (try? FileManager.default.attributesOfItem(atPath: journalPath)[.size] as? Int) ?? 0
        _ = try runMeasured("/usr/bin/wc", ["-l", journalPath])  // warm the page cache
        let wc = try runMeasured("/usr/bin/wc", ["-l", journalPath])
        let report = try runMeasured(daemonPath, ["journal", "--config", schedulePath, "--ledger", "lgr_bench0"])

        // First start: no checkpoint yet (a full replay, which writes one); then the
        // starts that follow: checkpoint plus the (empty) tail.
        let first = try startDaemon(folder: folder, schedulePath: schedulePath)
        let again = try startDaemon(folder: folder, schedulePath: schedulePath)
        let reportAgain = try runMeasured(daemonPath, ["journal", "--config", schedulePath, "--ledger", "lgr_bench0"])
        return [
            "\(written)", "\(size / 1_048_576)", String(format: "%.2f s", wc.seconds),
            format(first.ready), first.rss, format(again.ready), again.rss, again.peak,
            "\(format(again.stop)) (exit \(again.status))",
            String(format: "%.2f s / %.2f s", report.seconds, reportAgain.seconds) + (report.status == 0 && reportAgain.status == 0 ? "" : " (exit \(report.status), \(reportAgain.status))"),
            "\(report.maxRSSKiB) / \(reportAgain.maxRSSKiB) kB",
        ]
    }

    /// Starts the daemon, waits for `READY=1` on a notify socket, reads its RSS, stops it.
    private func startDaemon(folder: String, schedulePath: String) throws -> (ready: Duration, rss: String, peak: String, stop: Duration, status: Int32) {
        let socketPath = folder + "/notify.sock"
        unlink(socketPath)
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue), 0)
        guard fd >= 0 else { throw BenchError("socket: \(errno)") }
        defer { close(fd) }
        var address = sockaddr_un()
        address.sun_family = sa_family_t(AF_UNIX)
        withUnsafeMutableBytes(of: &address.sun_path) { raw in
            for (i, b) in socketPath.utf8.enumerated() where i < raw.count - 1 { raw[i] = b }
        }
        let bound = withUnsafePointer(to: &address) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, socklen_t(MemoryLayout<sockaddr_un>.size)) }
        }
        guard bound == 0 else { throw BenchError("bind: \(errno)") }
        var timeout = timeval(tv_sec: 1, tv_usec: 0)
        setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &timeout, socklen_t(MemoryLayout<timeval>.size))

        let process = Process()
        process.executableURL = URL(fileURLWithPath: daemonPath)
        process.arguments = ["run", "--config", schedulePath, "--log-level", "error"]
        process.environment = [
            "NOTIFY_SOCKET": socketPath, "MANGROVE_API_TOKEN": "bench-token",
            "PATH": ProcessInfo.processInfo.environment["PATH"] ?? "/usr/bin",
        ]
        process.standardError = FileHandle.nullDevice
        let started = ContinuousClock.now
        try process.run()
        defer {
            if process.isRunning {
                kill(process.processIdentifier, SIGTERM)
                process.waitUntilExit()
            }
        }
        var readyAfter: Duration?
        var buffer = [UInt8](repeating: 0, count: 4096)
        while started.duration(to: .now) < .seconds(300), process.isRunning {
            let n = recv(fd, &buffer, buffer.count, 0)
            if n > 0, String(decoding: buffer[0..<n], as: UTF8.self).contains("READY=1") {
                readyAfter = started.duration(to: .now)
                break
            }
        }
        guard let readyAfter else { throw BenchError("the daemon never sent READY=1 (exit \(process.isRunning ? "-" : String(process.terminationStatus)))") }
        let status = (try? String(contentsOfFile: "/proc/\(process.processIdentifier)/status", encoding: .utf8)) ?? ""
        func field(_ name: String) -> String {
            status.split(separator: "\n").first { $0.hasPrefix(name + ":") }.map { $0.dropFirst(name.count + 1).trimmingCharacters(in: .whitespaces) } ?? "?"
        }
        let stopStart = ContinuousClock.now
        kill(process.processIdentifier, SIGTERM)
        process.waitUntilExit()
        return (readyAfter, field("VmRSS"), field("VmHWM"), stopStart.duration(to: .now), process.terminationStatus)
    }

    /// Runs a program to its end with its output discarded: wall time, peak RSS (`wait4`), exit status.
    private func runMeasured(_ path: String, _ args: [String]) throws -> (seconds: Double, maxRSSKiB: Int, status: Int32) {
        var actions = posix_spawn_file_actions_t()
        posix_spawn_file_actions_init(&actions)
        defer { posix_spawn_file_actions_destroy(&actions) }
        posix_spawn_file_actions_addopen(&actions, 1, "/dev/null", O_WRONLY, 0)
        posix_spawn_file_actions_addopen(&actions, 2, "/dev/null", O_WRONLY, 0)
        let argv = ([path] + args).map { strdup($0) } + [nil]
        defer { argv.forEach { free($0) } }
        let environment = ["MANGROVE_API_TOKEN=bench-token", "PATH=/usr/bin:/bin"]
        let envp = environment.map { strdup($0) } + [nil]
        defer { envp.forEach { free($0) } }
        var pid: pid_t = 0
        let started = ContinuousClock.now
        let rc = posix_spawn(&pid, path, &actions, nil, argv, envp)
        guard rc == 0 else { throw BenchError("posix_spawn \(path): \(rc)") }
        var status: Int32 = 0
        var usage = rusage()
        while wait4(pid, &status, 0, &usage) < 0 {
            guard errno == EINTR else { throw BenchError("wait4: \(errno)") }
        }
        return (started.duration(to: .now).seconds, Int(usage.ru_maxrss), (status >> 8) & 0xFF)
    }

    /// `ledgers` monthly ledgers since 2025-01 (earlier when 22 periods of 6 lines per
    /// ledger do not make `lines` lines); the journal completes their oldest periods
    /// (intent, fired, progress×3, completed) until it has `lines` lines.
    private func writeFixtures(schedulePath: String, journalPath: String, lines: Int) throws -> Int {
        let perPeriod = 6  // intent, fired, 3 progress, completed
        let periodCount = max(22, (lines + ledgers * perPeriod - 1) / max(ledgers * perPeriod, 1))
        let month = 2025 * 12 - (periodCount - 22)
        let first = String(format: "%04d-%02d-01", month / 12, month % 12 + 1)
        var schedule = "{\"api\":{\"base_url\":\"http://127.0.0.1:9/api/v1\"},\"journal_path\":\"journal.jsonl\",\"ledgers\":[\n"
        schedule += (0..<ledgers).map { "{\"id\":\"lgr_bench\($0)\",\"cadence\":\"monthly\",\"time_zone\":\"Europe/Berlin\",\"first_period_start\":\"\(first)\"}" }.joined(separator: ",\n")
        schedule += "]}\n"
        try schedule.write(toFile: schedulePath, atomically: true, encoding: .utf8)

        _ = FileManager.default.createFile(atPath: journalPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journalPath))
        defer { try? handle.close() }
        let calendar = PeriodCalendar(cadence: .monthly, timeZone: TimeZone(identifier: "Europe/Berlin")!)
        var periods: [Period] = []
        var p = calendar.firstPeriod(startingAtOrAfter: UTCTimestamp.parse(first + "T00:00:00Z")!.addingTimeInterval(-7200))
        for _ in 0..<periodCount { periods.append(p); p = calendar.following(p) }
        var written = 0
        var task = 0
        var chunk = ""
        let t0 = Date(timeIntervalSince1970: 1_770_000_000)
        outer: for period in periods where written < lines {
            for l in 0..<ledgers {
                task += 1
                let id = "lgr_bench\(l)"
                let events: [(JournalEvent, Int?)] = [(.intent, nil), (.fired, task), (.progress, task), (.progress, task), (.progress, task), (.completed, task)]
                for (event, taskID) in events.prefix(perPeriod) {
                    let e = JournalEntry(time: t0, ledgerID: id, periodStart: period.startTime, periodEnd: period.endTime, event: event, taskID: taskID, attempt: 1, state: event == .progress ? "running" : nil, progress: event == .progress ? 50 : nil)
                    chunk += JournalCodec.encode(e) + "\n"
                    written += 1
                    if written >= lines { break outer }
                }
                if chunk.utf8.count > 1 << 20 {
                    handle.write(Data(chunk.utf8))
                    chunk = ""
                }
            }
        }
        handle.write(Data(chunk.utf8))
        return written
    }
}

struct BenchError: Error, CustomStringConvertible {
    let description: String
    init(_ d: String) { description = d }
}

func format(_ d: Duration) -> String {
    String(format: "%.2f s", d.seconds)
}
