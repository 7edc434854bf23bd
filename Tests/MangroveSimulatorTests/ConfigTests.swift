import Foundation
import MangroveAPI
import MangroveSimulator
import Testing

@Suite struct ConfigTests {
    static func write(_ text: String) throws -> String {
        let path = FileManager.default.temporaryDirectory
            .appendingPathComponent("sim-config-\(UUID().uuidString).json").path
        try Data(text.utf8).write(to: URL(fileURLWithPath: path))
        return path
    }

    @Test func emptyObjectGivesDefaults() throws {
        let config = try SimulatorConfig.decode(Data("{}".utf8))
        #expect(config == SimulatorConfig())
        #expect(config.token == "sim-token")
        #expect(config.batchesPerGeneration == 1)
        #expect(config.ledgers.first?.id == "lgr_abc123def456")
    }

    @Test func loadsSnakeCaseFile() throws {
        let path = try Self.write("""
            {"token": "t0k", "seed": 9, "task_pending_seconds": 0.5, "task_duration_seconds": 2,
             "task_failure_rate": 0.25, "batches_per_generation": 3, "unknown_key": [1],
             "ledgers": [{"id": "lgr_a", "name": "A", "cadence": "daily", "latest_model": null, "preview_count": 4,
                          "required_inputs": [{"id": 1, "name": "X", "is_manual_select": true}]}],
             "faults": [{"match": {"method": "POST", "endpoint": "batch_generations"}, "kind": "process_then_drop", "count": 1},
                        {"kind": "latency", "latency_ms": 20, "probability": 0.5}]}
            """)
        defer { try? FileManager.default.removeItem(atPath: path) }
        let config = try SimulatorConfig.load(path: path)
        #expect(config.token == "t0k")
        #expect(config.seed == 9)
        #expect(config.taskPendingSeconds == 0.5)
        #expect(config.taskFailureRate == 0.25)
        #expect(config.batchesPerGeneration == 3)
        #expect(config.ledgers.map(\.id) == ["lgr_a"])
        #expect(config.ledgers[0].latestModel == nil)
        #expect(config.ledgers[0].requiredInputs.first?.isManualSelect == true)
        #expect(config.faults == [
            FaultRule(match: FaultMatcher(method: "POST", endpoint: .batchGenerations), kind: .processThenDrop, count: 1),
            FaultRule(kind: .latency(milliseconds: 20), probability: 0.5),
        ])
        // Round trip through JSON.
        let again = try SimulatorConfig.decode(try JSONEncoder().encode(config))
        #expect(again == config)
    }

    @Test func exampleFileIsValid() throws {
        let root = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        let config = try SimulatorConfig.load(path: root.appendingPathComponent("config/sim.example.json").path)
        #expect(config.ledgers.count == 2)
        #expect(!config.faults.isEmpty)
    }

    @Test func demoConfigHasThreeLedgersWithModels() {
        let demo = SimulatorConfig.demo
        #expect(demo.ledgers.map(\.id) == ["lgr_demo_monthly", "lgr_demo_quarterly", "lgr_demo_daily"])
        #expect(demo.ledgers.allSatisfy { $0.latestModel != nil })
        #expect(demo.validate().isEmpty)
        #expect(!demo.description.contains(demo.token))
    }

    @Test func badFilesGiveClearErrors() throws {
        let cases: [(String, String)] = [
            (#"{"task_failure_rate": 1.5}"#, "task_failure_rate: 1.5 is outside 0...1"),
            (#"{"batches_per_generation": 0}"#, "batches_per_generation: 0 is outside 1...999"),
            (#"{"ledgers": [{"id": "a"}, {"id": "a"}]}"#, #"ledgers[1].id: duplicate ledger id "a""#),
            (#"{"ledgers": [{"name": "no id"}]}"#, "ledgers[0].id: required key is missing"),
            (#"{"seed": "x"}"#, "seed: expected UInt64"),
            (#"{"faults": [{"kind": "explode"}]}"#, #"faults[0].kind: unknown fault kind "explode""#),
            (#"{"faults": [{"kind": "latency"}]}"#, "faults[0].latency_ms: required key is missing"),
            (#"{"token": "#, "not valid JSON"),
        ]
        for (text, expected) in cases {
            let path = try Self.write(text)
            defer { try? FileManager.default.removeItem(atPath: path) }
            do {
                _ = try SimulatorConfig.load(path: path)
                Issue.record("no error for \(text)")
            } catch let error as SimulatorConfigError {
                #expect(error.path == path)
                #expect(error.description.hasPrefix("\(path): "), "\(error)")
                #expect(error.description.contains(expected), "\(error) does not contain \(expected)")
            }
        }
        #expect(throws: SimulatorConfigError.self) { try SimulatorConfig.load(path: "/nonexistent/sim.json") }
    }

    @Test func invalidConfigIsRefusedAtStart() async throws {
        var config = SimulatorConfig()
        config.taskFailureRate = -1
        await #expect(throws: SimulatorConfigError.self) {
            try await withTestSimulator(config: config) { _ in }
        }
    }
}
