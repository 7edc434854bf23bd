import Foundation
import MangroveAPI
import MangroveSimulator
import Testing

@Suite struct AdminEndpointTests {
    @Test func requestLogIsReadableAndClearable() async throws {
        let clock = TestClock()
        try await withTestSimulator(config: .testing(), now: clock.source) { sim in
            try await SimTestClient.with(sim) { api in
                _ = try await api.get(APIPath.batches(ledgerID) + "?sort=-created_at&page=1")
                _ = try await api.generate(ledgerID, "2025-01-01T00:00:00.000Z", "2025-01-31T23:59:59.000Z")

                let inProcess = await sim.requests()
                #expect(inProcess.map(\.method) == ["GET", "POST"])
                #expect(inProcess[0].query == ["sort": "-created_at", "page": "1"])
                #expect(inProcess[0].endpoint == .ledgerBatches)
                #expect(inProcess[0].path == "/api/v1/ledgers/\(ledgerID)/batches")
                #expect(inProcess[1].body == .object([
                    "start_time": .string("2025-01-01T00:00:00.000Z"), "end_time": .string("2025-01-31T23:59:59.000Z"),
                ]))
                #expect(inProcess[1].status == 202)
                #expect(inProcess[1].time == clock.now)

                // Out of process: the same log over HTTP, without a token.
                let overHTTP = try await api.send(.GET, "/_sim/requests", token: .some(nil))
                #expect(overHTTP.status == 200)
                #expect(try overHTTP.decode(ListResponse<RecordedRequest>.self).data == inProcess)

                let cleared = try await api.send(.DELETE, "/_sim/requests", token: .some(nil))
                #expect(cleared.status == 204)
                #expect(await sim.requests().isEmpty)
                // Admin calls are not logged themselves.
                #expect(try await api.get("/_sim/requests").decode(ListResponse<RecordedRequest>.self).data.isEmpty)
                _ = try await api.get(APIPath.ledgers)
                #expect(await sim.requests().map(\.sequence) == [3])
            }
        }
    }

    @Test func tasksAndClockOverHTTP() async throws {
        let clock = TestClock()
        try await withTestSimulator(config: .testing(), now: clock.source) { sim in
            try await SimTestClient.with(sim) { api in
                _ = try await api.generate(ledgerID, "2025-01-01T00:00:00.000Z", "2025-01-31T23:59:59.000Z")
                let tasks = try await api.get("/_sim/tasks").decode(ListResponse<AsyncTask>.self).data
                #expect(tasks.map(\.state) == [.pending])
                let moved = try await api.post("/_sim/clock", #"{"advance_seconds": 11}"#)
                #expect(moved.status == 200)
                #expect(moved.text == #"{"now":"2025-04-01T12:00:11.000Z"}"#)
                #expect(try await api.get(APIPath.asyncTask(1)).decode(AsyncTask.self).state == .complete)
                #expect(await sim.batches(ledgerID: ledgerID).count == 1)
                #expect(try await api.post("/_sim/clock", "{}").status == 422)
                #expect(try await api.get("/_sim/nothing").status == 404)
            }
        }
    }
}
