import Foundation
import Testing
import SchedulerCore

/// Schedules and journal lines come from users and from crashes: whatever the bytes, the
/// readers answer with a value or an error, never a trap. Mutations of valid documents
/// (seeded, so a failure is reproducible) reach the odd corners a table would miss.
@Suite("Parsers never trap on damaged input")
struct ParserRobustnessTests {
    static let schedule = """
    {
      "api": {"base_url": "https://app.gomangrove.com/api/v1", "request_timeout": "PT30S"},
      "defaults": {"time_zone": "Europe/Berlin", "settle_delay": "PT6H"},
      "limits": {"max_in_flight": 4, "requests_per_second": 2.5},
      "polling": {"first_poll_after": "PT2S", "max_interval": "PT1M", "task_timeout": "PT6H"},
      "recovery": {"failed_task_retries": 2, "empty_preview_limit": 3},
      "ledgers": [
        {"id": "lgr_abc123def456", "cadence": "monthly", "first_period_start": "2025-01-01", "name": "Grüße \\u00e9 \\ud83d\\ude00"},
        {"id": "lgr_b", "cadence": "hourly", "time_zone": "America/New_York", "first_period_start": "2025-03-09T01:00:00"}
      ]
    }
    """

    static let journalLine = JournalCodec.encode(JournalEntry(
        time: instant("2025-04-01T04:00:00.123Z"), ledgerID: "lgr_abc123def456", periodStart: "2025-02-28T23:00:00.000Z",
        periodEnd: "2025-03-31T21:59:59.000Z", event: .completed, taskID: 42, attempt: 2, state: "complete", progress: 100,
        error: "quote \" backslash \\ newline \n", batchIDs: ["b1", "b2"], detail: "é😀"))

    static let alphabet: [String] = [
        "{", "}", "[", "]", ":", ",", "\"", "\\", "\\u", "\\uD83D", "\\uDE00", "\\uD800", "0", "1", "-", ".", "e", "E", "+",
        "9999999999999999999999", "1e400", "t", "true", "null", "P", "T", "H", "S", "PT", "\n", "\t", " ", "é", "😀", "\u{0}",
        "\u{1F}", "\u{7F}", "Z", "+02:00", "2025-", "lgr_", "token", "cadence", "\"montly\"", "\"P1M\"",
    ]

    static func mutate(_ text: String, _ rng: inout SplitMix64) -> String {
        var chars = Array(text.unicodeScalars)
        for _ in 0..<Int.random(in: 1...4, using: &rng) {
            guard !chars.isEmpty else { break }
            let i = Int.random(in: 0..<chars.count, using: &rng)
            switch Int.random(in: 0..<4, using: &rng) {
            case 0: chars.remove(at: i)
            case 1: chars.insert(contentsOf: alphabet.randomElement(using: &rng)!.unicodeScalars, at: i)
            case 2: chars = Array(chars[..<i])
            default: chars[i] = alphabet.randomElement(using: &rng)!.unicodeScalars.first!
            }
        }
        var out = String.UnicodeScalarView()
        out.append(contentsOf: chars)
        return String(out)
    }

    @Test("ConfigJSONReader and ScheduleDecoder on 1200 damaged schedules")
    func schedules() {
        var rng = SplitMix64(seed: 2026)
        var decoded = 0, refused = 0
        for _ in 0..<1200 {
            let text = Self.mutate(Self.schedule, &rng)
            _ = try? ConfigJSONReader.parse(text)
            do {
                _ = try ScheduleDecoder.decode(text, file: "fuzz.json")
                decoded += 1
            } catch {
                #expect(!error.problems.isEmpty)
                #expect(!error.errors.isEmpty)
                refused += 1
            }
        }
        #expect(decoded + refused == 1200)
        #expect(refused > 0)
    }

    @Test("JournalCodec and JournalReplay on 2000 damaged lines")
    func journalLines() {
        var rng = SplitMix64(seed: 7)
        var lines: [Substring] = []
        for _ in 0..<2000 {
            let line = Self.mutate(Self.journalLine, &rng)
            if let entry = try? JournalCodec.decode(line) {
                // Whatever decoded re-encodes to a line that decodes to the same entry.
                #expect((try? JournalCodec.decode(JournalCodec.encode(entry))) == entry, "\(line)")
            }
            lines.append(Substring(line.replacingOccurrences(of: "\n", with: " ")))
        }
        var state = JournalState()
        let problems = JournalReplay.replay(lines: lines, lastLineComplete: false, into: &state)
        let blank = lines.filter { $0.allSatisfy { $0 == " " || $0 == "\t" || $0 == "\r" } }.count
        #expect(problems.count + state.lineCount + blank == 2000)
    }

    @Test("random strings as timestamps, durations and dates")
    func scalars() {
        var rng = SplitMix64(seed: 11)
        let berlin = zone("Europe/Berlin")
        for _ in 0..<2000 {
            let seed = ["2025-03-31T23:59:59.000Z", "P1Y2M3W4DT5H6M7.5S", "2025-03-30T02:30:00", "2025-01-01"].randomElement(using: &rng)!
            let text = Self.mutate(seed, &rng)
            if let date = UTCTimestamp.parse(text) { _ = UTCTimestamp.format(date) }
            if let d = ISODuration(text) {
                _ = d.duration
                _ = UTCTimestamp.format(d.added(to: instant("2025-01-01T00:00:00Z"), in: berlin))
            }
            _ = ScheduleDecoder.parseStart(text, zone: berlin)
        }
    }
}
