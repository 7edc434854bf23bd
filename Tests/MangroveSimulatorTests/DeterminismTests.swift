import Foundation
import MangroveAPI
import MangroveSimulator
import Testing

@Suite struct DeterminismTests {
    /// Runs a fixed request sequence and returns everything observable about it.
    static func scenario(seed: UInt64) async throws -> [String] {
        let clock = TestClock()
        let faults = [
            FaultRule(match: FaultMatcher(endpoint: .batchGenerations), kind: .serviceUnavailable(retryAfterSeconds: 1), probability: 0.4),
            FaultRule(match: FaultMatcher(endpoint: .ledgers), kind: .internalServerError, probability: 0.5),
        ]
        let config = SimulatorConfig.testing(failureRate: 0.5, seed: seed, faults: faults)
        return try await withTestSimulator(config: config, now: clock.source) { sim in
            try await SimTestClient.with(sim) { api in
                var observed: [String] = []
                for month in 1...8 {
                    let start = String(format: "2025-%02d-01T00:00:00.000Z", month)
                    let end = String(format: "2025-%02d-28T23:59:59.000Z", month)
                    let (response, _) = try await api.generate(ledgerID, start, end)
                    observed.append("POST \(response.status)")
                    observed.append("GET \(try await api.get(APIPath.ledgers).status)")
                    clock.advance(by: 1)
                }
                clock.advance(by: 60)
                for task in await sim.tasks() {
                    observed.append("task \(task.id) \(task.state) \(task.errorMessage ?? "-")")
                }
                for batch in await sim.batches(ledgerID: ledgerID) {
                    observed.append("batch \(batch.id) \(batch.trackingId ?? "") \(batch.ledgerBalance ?? -1)")
                }
                return observed
            }
        }
    }

    @Test func sameSeedSameOutcomes() async throws {
        let first = try await Self.scenario(seed: 2025)
        let second = try await Self.scenario(seed: 2025)
        #expect(first == second)
        // The scenario exercises both outcomes of every random choice.
        #expect(first.contains("POST 503") && first.contains("POST 202"))
        #expect(first.contains("GET 500") && first.contains("GET 200"))
        #expect(first.contains { $0.contains(" failed ") } && first.contains { $0.contains(" complete ") })
    }

    @Test func differentSeedsDiffer() async throws {
        let first = try await Self.scenario(seed: 1)
        let second = try await Self.scenario(seed: 2)
        #expect(first != second)
    }
}
