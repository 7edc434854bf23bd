import Foundation
import Testing
import SchedulerCore

/// Fuzzes the two readers of untrusted text, the schedule decoder and the journal line
/// decoder, with random documents built from the schedule's own vocabulary, random bytes,
/// and mutations of valid inputs. Seeded: set `MANGROVE_FUZZ_SEED` (and
/// `MANGROVE_FUZZ_CASES`) to reproduce or extend a run; a failure message names its seed
/// and case. Asserts that nothing traps and that every rejection says where: a JSON path
/// or a line and column.
@Suite("Fuzz: schedule and journal decoders")
struct DecoderFuzzTests {
    static let seed = UInt64(ProcessInfo.processInfo.environment["MANGROVE_FUZZ_SEED"] ?? "") ?? 0x4D41_4E47
    static let cases = Int(ProcessInfo.processInfo.environment["MANGROVE_FUZZ_CASES"] ?? "") ?? 1500

    static let keys = [
        "api", "base_url", "token_file", "connect_timeout", "request_timeout", "journal_path", "defaults", "ledgers",
        "limits", "max_in_flight", "requests_per_second", "polling", "first_poll_after", "max_interval", "task_timeout",
        "recovery", "failed_task_retries", "failed_task_backoff", "reconcile_after", "reconcile_window",
        "unavailable_ledger_backoff", "empty_preview_recheck", "empty_preview_limit", "id", "name", "cadence",
        "time_zone", "first_period_start", "settle_delay", "preview", "token", "cadance", "", "é",
    ]
    static let strings = [
        "https://app.gomangrove.com/api/v1", "http://127.0.0.1:1/api/v1", "ftp://x", "lgr_abc123def456", "lgr_", "lgr_a/b",
        "monthly", "hourly", "quarterly", "montly", "UTC", "Europe/Berlin", "CET", "GMT+2", "Mars/Olympus", "2025-01-01",
        "0001-01-01", "1999-12-31T23:59:59Z", "2025-02-30", "2025-03-30T02:30:00", "2025-01-01T00:00:00+14:00", "PT6H",
        "PT0S", "PT0.0000001S", "P1D", "P1M", "P999999999D", "PT-1S", "P", "PT", "", "😀", "\\u0000", "\\ud800",
    ]
    static let numbers = ["0", "1", "-1", "4", "1.5", "1e400", "-0", "1000", "1001", "99999999999999999999", "0.1", "1E2"]

    /// A random JSON value, mostly shaped like a schedule.
    static func value(_ depth: Int, _ rng: inout SplitMix64) -> String {
        let roll = Int.random(in: 0..<10, using: &rng)
        if depth > 3 || roll < 4 {
            switch Int.random(in: 0..<6, using: &rng) {
            case 0, 1, 2: return "\"\(strings.randomElement(using: &rng)!)\""
            case 3: return numbers.randomElement(using: &rng)!
            case 4: return ["true", "false", "null"].randomElement(using: &rng)!
            default: return "[]"
            }
        }
        if roll < 6 {
            let items = (0..<Int.random(in: 0...3, using: &rng)).map { _ in value(depth + 1, &rng) }
            return "[" + items.joined(separator: ",") + "]"
        }
        let members = (0..<Int.random(in: 0...6, using: &rng)).map { _ in
            "\"\(keys.randomElement(using: &rng)!)\": \(value(depth + 1, &rng))"
        }
        return "{" + members.joined(separator: ",\n ") + "}"
    }

    /// A document close to a valid schedule, with random values in random places.
    static func schedule(_ rng: inout SplitMix64) -> String {
        var top = [#""api": {"base_url": "https://app.gomangrove.com/api/v1", "connect_timeout": \#(value(2, &rng))}"#]
        for _ in 0..<Int.random(in: 0...3, using: &rng) {
            top.append("\"\(keys.randomElement(using: &rng)!)\": \(value(1, &rng))")
        }
        let ledgers = (0..<Int.random(in: 0...3, using: &rng)).map { _ in
            var members = [
                #""id": "lgr_\#(Int.random(in: 0...5, using: &rng))""#, #""cadence": "monthly""#,
                #""first_period_start": "2025-01-01""#,
            ]
            for _ in 0..<Int.random(in: 0...3, using: &rng) {
                members.append("\"\(keys.randomElement(using: &rng)!)\": \(value(2, &rng))")
            }
            return "{" + members.shuffled(using: &rng).joined(separator: ", ") + "}"
        }
        top.append("\"ledgers\": [" + ledgers.joined(separator: ",\n") + "]")
        return "{\n" + top.shuffled(using: &rng).joined(separator: ",\n") + "\n}"
    }

    static func randomText(_ rng: inout SplitMix64) -> String {
        let bytes = (0..<Int.random(in: 0...80, using: &rng)).map { _ in
            Int.random(in: 0..<4, using: &rng) == 0 ? UInt8.random(in: 0...255, using: &rng) : Array("{}[]:,\"\\ntfu0123456789-.eE ".utf8).randomElement(using: &rng)!
        }
        return String(decoding: bytes, as: UTF8.self)
    }

    /// Every problem of a refused schedule names where it is: a JSON path or a line.
    static func expectLocated(_ text: String, now: Date, _ label: String) {
        do {
            _ = try ScheduleDecoder.decode(text, file: "fuzz.json", now: now)
        } catch {
            #expect(!error.errors.isEmpty, "\(label): refused without an error")
            for problem in error.problems where problem.path.isEmpty && problem.line == nil {
                Issue.record("\(label): a problem names neither a JSON path nor a position: \(problem)\n\(text)")
            }
        }
    }

    @Test("schedule decoder: random, grammar-built and mutated documents; every rejection is located")
    func schedules() {
        var rng = SplitMix64(seed: Self.seed)
        let now = instant("2026-11-23T12:00:00Z")
        for n in 0..<Self.cases {
            let label = "seed \(Self.seed) case \(n)"
            let text: String
            switch n % 3 {
            case 0: text = Self.schedule(&rng)
            case 1: text = ParserRobustnessTests.mutate(Self.schedule(&rng), &rng)
            default: text = Self.randomText(&rng)
            }
            Self.expectLocated(text, now: now, label)
        }
    }

    @Test("journal line decoder: random and mutated lines; every rejection names its field or a position")
    func journalLines() {
        var rng = SplitMix64(seed: Self.seed ^ 0x4A4F_5552)
        for n in 0..<Self.cases {
            let line = n % 2 == 0
                ? ParserRobustnessTests.mutate(ParserRobustnessTests.journalLine, &rng)
                : Self.randomText(&rng)
            // The replay's fast path never accepts what the general decoder reads differently.
            let fast = Array(line.utf8).withUnsafeBufferPointer(JournalCodec.decodeFast)
            do {
                let entry = try JournalCodec.decode(line)
                #expect((try? JournalCodec.decode(JournalCodec.encode(entry))) == entry)
                if let fast { #expect(fast == entry, "seed \(Self.seed) case \(n): \(line)") }
            } catch {
                #expect(fast == nil, "seed \(Self.seed) case \(n): the fast path accepted a line the decoder refuses: \(line)")
                switch error {
                case .missingField(let field), .invalidField(let field, _):
                    #expect(!field.isEmpty, "seed \(Self.seed) case \(n): \(error)")
                case .invalidJSON(let message):
                    #expect(message.contains("line ") && message.contains("column "), "seed \(Self.seed) case \(n): \(error) for \(line)")
                }
            }
        }
    }

    @Test("UTF8Position finds exactly the first invalid byte of random byte strings")
    func utf8Positions() {
        var rng = SplitMix64(seed: Self.seed ^ 0x5554_4638)
        for n in 0..<Self.cases {
            var bytes = Array("ab\ncé😀\n".utf8)
            for _ in 0..<Int.random(in: 0...6, using: &rng) {
                bytes.insert(UInt8.random(in: 0...255, using: &rng), at: Int.random(in: 0...bytes.count, using: &rng))
            }
            let found = UTF8Position.firstInvalid(in: bytes)
            let valid = String(validating: bytes, as: UTF8.self) != nil
            #expect((found == nil) == valid, "seed \(Self.seed) case \(n): \(bytes)")
            if let found {
                #expect(String(validating: bytes[..<found.byteOffset], as: UTF8.self) != nil)
                let prefix = String(decoding: bytes[..<found.byteOffset], as: UTF8.self)
                #expect(found.line == prefix.utf8.filter { $0 == 10 }.count + 1)
            }
        }
    }
}
