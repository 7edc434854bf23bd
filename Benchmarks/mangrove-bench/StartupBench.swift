import Foundation
import SchedulerCore
#if canImport(Glibc)
import Glibc
#endif

/// Start-up of the real daemon process with a large schedule and journal: time from exec
/// to `READY=1` on a notify socket the benchmark binds, and the process's RSS then.
struct StartupBench {
    let ledgers: Int
    let lines: Int
    let daemonPath: String

    func run() throws -> [(String, String)] {
        let folder = NSTemporaryDirectory() + "/mangrove-bench-\(getpid())"
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(atPath: folder) }
        let schedulePath = folder + "/schedule.json"
        let journalPath = folder + "/journal.jsonl"
        let written = try writeFixtures(schedulePath: schedulePath, journalPath: journalPath)
        let size = (try? FileManager.default.attributesOfItem(atPath: journalPath)[.size] as? Int) ?? 0

        let socketPath = folder + "/notify.sock"
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
        let stopTook = stopStart.duration(to: .now)
        return [
            ("startup: ledgers", "\(ledgers)"),
            ("startup: journal lines", "\(written) (\(size / 1_048_576) MiB)"),
            ("startup: exec to READY=1", format(readyAfter)),
            ("startup: RSS at READY (VmRSS)", field("VmRSS")),
            ("startup: peak RSS (VmHWM)", field("VmHWM")),
            ("startup: SIGTERM to exit", "\(format(stopTook)) (exit \(process.terminationStatus))"),
        ]
    }

    /// `ledgers` monthly ledgers since 2025-01; the journal completes their oldest periods
    /// (intent, fired, progress×k, completed) until it has `lines` lines.
    private func writeFixtures(schedulePath: String, journalPath: String) throws -> Int {
        var schedule = "{\"api\":{\"base_url\":\"http://127.0.0.1:9/api/v1\"},\"journal_path\":\"journal.jsonl\",\"ledgers\":[\n"
        schedule += (0..<ledgers).map { "{\"id\":\"lgr_bench\($0)\",\"cadence\":\"monthly\",\"time_zone\":\"Europe/Berlin\",\"first_period_start\":\"2025-01-01\"}" }.joined(separator: ",\n")
        schedule += "]}\n"
        try schedule.write(toFile: schedulePath, atomically: true, encoding: .utf8)

        FileManager.default.createFile(atPath: journalPath, contents: nil)
        let handle = try FileHandle(forWritingTo: URL(fileURLWithPath: journalPath))
        defer { try? handle.close() }
        let calendar = PeriodCalendar(cadence: .monthly, timeZone: TimeZone(identifier: "Europe/Berlin")!)
        var periods: [Period] = []
        var p = calendar.firstPeriod(startingAtOrAfter: UTCTimestamp.parse("2024-12-31T23:00:00Z")!)
        for _ in 0..<22 { periods.append(p); p = calendar.following(p) }
        let perPeriod = 6  // intent, fired, 3 progress, completed
        var written = 0
        var task = 0
        var chunk = ""
        let t0 = Date(timeIntervalSince1970: 1_770_000_000)
        outer: for period in periods {
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
