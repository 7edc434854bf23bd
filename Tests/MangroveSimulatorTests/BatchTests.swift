import Foundation
import MangroveAPI
import MangroveSimulator
import Testing

@Suite struct BatchTests {
    @Test func completedGenerationCreatesBatchesSpanningTheRequest() async throws {
        let clock = TestClock()
        try await withTestSimulator(config: .testing(batchesPerGeneration: 2), now: clock.source) { sim in
            try await SimTestClient.with(sim) { api in
                // Offsets and missing milliseconds are normalised to the API's own rendering.
                _ = try await api.generate(ledgerID, "2025-01-01T01:00:00+01:00", "2025-01-31T23:59:59Z")
                clock.advance(by: 10.999)
                #expect(try await api.get(APIPath.batches(ledgerID)).decode(ListResponse<Batch>.self).data.isEmpty)
                clock.advance(by: 0.001)

                let list = try await api.get(APIPath.batches(ledgerID) + "?sort=-created_at")
                #expect(list.status == 200)
                let page = try list.decode(ListResponse<Batch>.self)
                #expect(page.data.count == 2)
                #expect(page.data.map(\.trackingId) == ["Jan-2025-002", "Jan-2025-001"])
                for batch in page.data {
                    #expect(batch.startTime == "2025-01-01T00:00:00.000Z")
                    #expect(batch.endTime == "2025-01-31T23:59:59.000Z")
                    #expect(batch.state == "complete")
                    #expect(batch.createdAt == "2025-04-01T12:00:11.000Z")
                    #expect(batch.id.hasPrefix("bat_"))
                    #expect(batch.ledgerBalance != nil)
                    // The list entry is the cookbook's short shape.
                    #expect(batch.modelRun == nil && batch.inputData == nil)
                }
                #expect(page.meta == PageMeta(page: 1, perPage: 25, totalCount: 2, totalPages: 1))
            }
        }
    }

    @Test func retrieveBatchHasTheFullSeedShape() async throws {
        let clock = TestClock()
        try await withTestSimulator(config: .testing(), now: clock.source) { sim in
            try await SimTestClient.with(sim) { api in
                _ = try await api.generate(ledgerID, "2025-01-01T00:00:00.000Z", "2025-03-31T23:59:59.000Z")
                clock.advance(by: 11)
                let listed = try #require(try await api.get(APIPath.batches(ledgerID)).decode(ListResponse<Batch>.self).data.first)
                let response = try await api.get(APIPath.batch(listed.id))
                #expect(response.status == 200)
                let batch = try response.decode(Batch.self)
                #expect(batch.id == listed.id)
                #expect(batch.trackingId == "Jan-2025-001")
                #expect(batch.startTime == "2025-01-01T00:00:00.000Z")
                #expect(batch.endTime == "2025-03-31T23:59:59.000Z")
                #expect(batch.updatedAt == "2025-04-01T12:00:11.000Z")
                #expect(batch.allocations == [])
                #expect(batch.feedstocks == [])
                #expect(batch.reportAllocations == [])
                #expect(batch.downstreamBatchAllocations == [])
                #expect(batch.inputData?.count == 1)
                guard case .object(let run)? = batch.modelRun else {
                    Issue.record("model_run is not an object")
                    return
                }
                #expect(run["start_time"] == .string("2025-01-01T00:00:00.000Z"))
                #expect(run["state"] == .string("complete"))
                #expect(run["error_message"] == .null)
                guard case .object(let output)? = batch.primaryOutput else {
                    Issue.record("primary_output is not an object")
                    return
                }
                #expect(output["data_point_type_id"] == .number(5))
                #expect(output["name"] == .string("Net Carbon Removal"))
                // Every documented key is present in the raw JSON.
                let raw = try JSONSerialization.jsonObject(with: response.body) as? [String: Any]
                let keys = Set(raw?.keys.map { $0 } ?? [])
                #expect(keys == [
                    "id", "tracking_id", "start_time", "end_time", "state", "created_at", "updated_at",
                    "primary_output", "ledger_balance", "allocations", "model_run", "feedstocks", "input_data",
                    "report_allocations", "downstream_batch_allocations",
                ])
                #expect(await sim.batches(ledgerID: ledgerID) == [batch])
            }
        }
    }

    @Test func sortsAndPages() async throws {
        let clock = TestClock()
        try await withTestSimulator(config: .testing(), now: clock.source) { sim in
            try await SimTestClient.with(sim) { api in
                // Three generations, created in an order that differs from their periods' order.
                let months = [("2025-02-01T00:00:00.000Z", "2025-02-28T23:59:59.000Z"),
                              ("2025-01-01T00:00:00.000Z", "2025-01-31T23:59:59.000Z"),
                              ("2025-03-01T00:00:00.000Z", "2025-03-31T23:59:59.000Z")]
                for (start, end) in months {
                    _ = try await api.generate(ledgerID, start, end)
                    clock.advance(by: 1)
                }
                clock.advance(by: 20)

                func starts(_ query: String) async throws -> ([String], PageMeta?) {
                    let page = try await api.get(APIPath.batches(ledgerID) + query).decode(ListResponse<Batch>.self)
                    return (page.data.compactMap(\.startTime).map { String($0.prefix(7)) }, page.meta)
                }
                #expect(try await starts("").0 == ["2025-02", "2025-01", "2025-03"])
                #expect(try await starts("?sort=created_at").0 == ["2025-02", "2025-01", "2025-03"])
                #expect(try await starts("?sort=-created_at").0 == ["2025-03", "2025-01", "2025-02"])
                #expect(try await starts("?sort=start_time").0 == ["2025-01", "2025-02", "2025-03"])
                #expect(try await starts("?sort=-start_time").0 == ["2025-03", "2025-02", "2025-01"])

                let first = try await starts("?sort=start_time&per_page=2&page=1")
                #expect(first.0 == ["2025-01", "2025-02"])
                #expect(first.1 == PageMeta(page: 1, perPage: 2, totalCount: 3, totalPages: 2))
                let second = try await starts("?sort=start_time&per_page=2&page=2")
                #expect(second.0 == ["2025-03"])
                #expect(second.1 == PageMeta(page: 2, perPage: 2, totalCount: 3, totalPages: 2))
                #expect(try await starts("?per_page=2&page=3").0 == [])
                #expect(try await starts("?per_page=1000").1?.perPage == 100)

                let badSort = try await api.get(APIPath.batches(ledgerID) + "?sort=amount")
                #expect(badSort.status == 400)
                #expect(badSort.errorMessages.first?.contains("sort") == true)
                #expect(try await api.get(APIPath.batches(ledgerID) + "?page=0").status == 400)

                // Tracking ids count per month of the batch start.
                let tracking = await sim.batches(ledgerID: ledgerID).compactMap(\.trackingId)
                #expect(tracking == ["Feb-2025-001", "Jan-2025-001", "Mar-2025-001"])
            }
        }
    }
}
