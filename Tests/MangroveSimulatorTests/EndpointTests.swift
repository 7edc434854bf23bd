import Foundation
import MangroveAPI
import MangroveSimulator
import Testing

@Suite struct EndpointTests {
    @Test func listsLedgersInTheCookbookShape() async throws {
        try await withTestSimulator(config: .testing()) { sim in
            try await SimTestClient.with(sim) { api in
                let response = try await api.get(APIPath.ledgers)
                #expect(response.status == 200)
                let ledgers = try response.decode(ListResponse<Ledger>.self).data
                #expect(ledgers.map(\.id) == [ledgerID, "lgr_nomodel"])
                #expect(ledgers[0].latestModel == ModelReference(id: "mdl_xyz789", name: "Carbon Calculation Model"))
                #expect(ledgers[0].cadence == "monthly")
                #expect(ledgers[1].latestModel == nil)
                // latest_model is written as an explicit null, as the API does.
                #expect(response.text.contains(#""latest_model":null"#))
            }
        }
    }

    @Test func requiredInputsIncludeManualSelect() async throws {
        var config = SimulatorConfig.testing()
        config.ledgers[0].requiredInputs.append(
            RequiredInput(id: 3, name: "Biochar", slug: "biochar-mass", isManualSelect: true)
        )
        try await withTestSimulator(config: config) { sim in
            try await SimTestClient.with(sim) { api in
                let response = try await api.get(APIPath.requiredInputs(ledgerID))
                #expect(response.status == 200)
                let inputs = try response.decode(ListResponse<RequiredInput>.self).data
                #expect(inputs.map(\.slug) == ["feedstock-delivery-mass", "transport-distance", "biochar-mass"])
                #expect(inputs.map(\.isManualSelect) == [false, false, true])

                let missing = try await api.get(APIPath.requiredInputs("lgr_missing"))
                #expect(missing.status == 404)
            }
        }
    }

    @Test func previewCountsBatches() async throws {
        var config = SimulatorConfig.testing(batchesPerGeneration: 3)
        config.ledgers[1].previewCount = 5
        try await withTestSimulator(config: config) { sim in
            try await SimTestClient.with(sim) { api in
                let body = #"{"start_time":"2025-01-01T00:00:00Z","end_time":"2025-03-31T23:59:59Z"}"#
                let response = try await api.post(APIPath.generatePreview(ledgerID), body)
                #expect(response.status == 200)
                #expect(try response.decode(ListResponse<PreviewEntry>.self).data
                    == [PreviewEntry(id: ledgerID, name: "Net Carbon Removal", count: 3)])
                let other = try await api.post(APIPath.generatePreview("lgr_nomodel"), body)
                #expect(try other.decode(ListResponse<PreviewEntry>.self).data.first?.count == 5)
                let bad = try await api.post(APIPath.generatePreview(ledgerID), #"{"start_time":"2025-01-01T00:00:00Z"}"#)
                #expect(bad.status == 422)
                #expect(bad.errorMessages == ["end_time is missing"])
                // A preview creates nothing.
                #expect(await sim.tasks().isEmpty)
            }
        }
    }

    @Test func notFoundBodyIsExactlyTheSeeds() async throws {
        try await withTestSimulator(config: .testing()) { sim in
            try await SimTestClient.with(sim) { api in
                for path in [APIPath.batch("bat_nope"), APIPath.asyncTask(999), APIPath.batches("lgr_nope"), "/async_tasks/abc", "/nowhere"] {
                    let response = try await api.get(path)
                    #expect(response.status == 404, "\(path)")
                    #expect(response.text == #"{"errors":[{"message":"record not found"}],"status":"error","statusCode":404}"#)
                    let decoded = try response.decode(ErrorResponse.self)
                    #expect(decoded == ErrorResponse(statusCode: 404, messages: ["record not found"]))
                }
                let generation = try await api.generate("lgr_nope", "2025-01-01T00:00:00.000Z", "2025-01-31T23:59:59.000Z")
                #expect(generation.0.status == 404)
            }
        }
    }
}
