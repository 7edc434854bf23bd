import Foundation
import MangroveAPI
import MangroveSimulator
import Testing

@Suite struct TaskLifecycleTests {
    @Test func acceptedTaskProgressesWithInjectedNow() async throws {
        let clock = TestClock()
        try await withTestSimulator(config: .testing(batchesPerGeneration: 3), now: clock.source) { sim in
            try await SimTestClient.with(sim) { api in
                let (response, accepted) = try await api.generate(ledgerID, "2025-01-01T00:00:00.000Z", "2025-03-31T23:59:59.000Z")
                #expect(response.status == 202)
                let task = try #require(accepted)
                #expect(task.state == .pending)
                #expect(task.progress == 0)
                #expect(task.type == "ProductionAccounting::BatchGeneration")
                #expect(task.createdAt == "2025-04-01T12:00:00.000Z")
                #expect(task.args == .object(["project_id": .number(123), "ledger_id": .number(1)]))

                func poll() async throws -> AsyncTask {
                    let response = try await api.get(APIPath.asyncTask(task.id))
                    #expect(response.status == 200)
                    return try response.decode(AsyncTask.self)
                }

                clock.advance(by: 0.5)
                #expect(try await poll().state == .pending)

                clock.advance(by: 0.5 + 4)  // 4 s into a 10 s run of 3 batches
                let running = try await poll()
                #expect(running.state == .running)
                #expect(running.progress == 40)
                #expect(running.progressDescription == "Processing batch 2 of 3")
                #expect(running.startedAt == "2025-04-01T12:00:01.000Z")
                #expect(running.finishedAt == nil)
                #expect(await sim.batches(ledgerID: ledgerID).isEmpty)

                clock.advance(by: 6)
                let complete = try await poll()
                #expect(complete.state == .complete)
                #expect(complete.progress == 100)
                #expect(complete.progressDescription == nil)
                #expect(complete.errorMessage == nil)
                #expect(complete.finishedAt == "2025-04-01T12:00:11.000Z")
                #expect(await sim.tasks() == [complete])
            }
        }
    }

    @Test func failureRateOneFailsEveryTaskWithAMessage() async throws {
        let clock = TestClock()
        try await withTestSimulator(config: .testing(failureRate: 1), now: clock.source) { sim in
            try await SimTestClient.with(sim) { api in
                let (_, accepted) = try await api.generate(ledgerID, "2025-01-01T00:00:00.000Z", "2025-01-31T23:59:59.000Z")
                let task = try #require(accepted)
                clock.advance(by: 5)
                #expect(try await api.get(APIPath.asyncTask(task.id)).decode(AsyncTask.self).state == .running)
                clock.advance(by: 6)
                let failed = try await api.get(APIPath.asyncTask(task.id)).decode(AsyncTask.self)
                #expect(failed.state == .failed)
                #expect(failed.errorMessage == "Model run failed: simulated failure")
                #expect(failed.finishedAt == "2025-04-01T12:00:11.000Z")
                // A failed generation creates no batches.
                #expect(await sim.batches(ledgerID: ledgerID).isEmpty)
                #expect(try await api.get(APIPath.batches(ledgerID)).decode(ListResponse<Batch>.self).data.isEmpty)
            }
        }
    }

    @Test func ledgerWithoutModelIsRefused() async throws {
        try await withTestSimulator(config: .testing()) { sim in
            try await SimTestClient.with(sim) { api in
                let (response, _) = try await api.generate("lgr_nomodel", "2025-01-01T00:00:00.000Z", "2025-03-31T23:59:59.000Z")
                #expect(response.status == 422)
                #expect(response.errorMessages == ["ledger has no linked model"])
                #expect(await sim.tasks().isEmpty)
            }
        }
    }

    @Test func initialStateIsConfigurable() async throws {
        var config = SimulatorConfig.testing()
        config.taskInitialState = "processing"
        let clock = TestClock()
        try await withTestSimulator(config: config, now: clock.source) { sim in
            try await SimTestClient.with(sim) { api in
                let (response, task) = try await api.generate(ledgerID, "2025-01-01T00:00:00.000Z", "2025-01-31T23:59:59.000Z")
                #expect(response.status == 202)
                #expect(task?.state == .processing)
                clock.advance(by: 2)
                #expect(try await api.get(APIPath.asyncTask(1)).decode(AsyncTask.self).state == .running)
            }
        }
    }
}
