import Foundation
import MangroveAPI
import MangroveSimulator
import Testing

@Suite struct AuthAndValidationTests {
    @Test func missingOrWrongTokenIsUnauthorized() async throws {
        try await withTestSimulator(config: .testing()) { sim in
            try await SimTestClient.with(sim) { api in
                let none = try await api.send(.GET, APIPath.ledgers, token: .some(nil))
                #expect(none.status == 401)
                #expect(none.text == #"{"errors":[{"message":"unauthorized"}],"status":"error","statusCode":401}"#)
                let wrong = try await api.send(.POST, APIPath.batchGenerations(ledgerID),
                                               json: #"{"start_time":"2025-01-01T00:00:00Z","end_time":"2025-01-31T23:59:59Z"}"#,
                                               token: "nope")
                #expect(wrong.status == 401)
                #expect(await sim.tasks().isEmpty)
                let log = await sim.requests()
                #expect(log.map(\.authorized) == [false, false])
                #expect(try await api.get(APIPath.ledgers).status == 200)
                #expect(await sim.requests().last?.authorized == true)
            }
        }
    }

    @Test(arguments: [
        (#"{"end_time":"2025-01-31T23:59:59.000Z"}"#, ["start_time is missing"]),
        (#"{"start_time":"2025-01-01T00:00:00.000Z"}"#, ["end_time is missing"]),
        (#"{"start_time":"yesterday","end_time":"2025-01-31T23:59:59.000Z"}"#,
         [#"start_time is not an ISO 8601 date-time (e.g. 2025-01-01T00:00:00.000Z): "yesterday""#]),
        (#"{"start_time":"2025-02-01T00:00:00.000Z","end_time":"2025-01-31T23:59:59.000Z"}"#,
         ["end_time must be after start_time"]),
        (#"{"start_time":"2025-02-30T00:00:00.000Z","end_time":"2025-03-31T23:59:59.000Z"}"#,
         [#"start_time is not an ISO 8601 date-time (e.g. 2025-01-01T00:00:00.000Z): "2025-02-30T00:00:00.000Z""#]),
        (#"{"start_time":1,"end_time":"2025-03-31T23:59:59.000Z","data_point_ids":"x"}"#,
         ["start_time must be a string date-time (e.g. 2025-01-01T00:00:00.000Z)", "data_point_ids must be an array"]),
        (#"not json"#, ["request body is not valid JSON"]),
        (#"[1,2]"#, ["request body must be a JSON object with start_time and end_time"]),
        ("", ["request body is missing; expected JSON with start_time and end_time"]),
    ])
    func badBodiesAreUnprocessable(body: String, messages: [String]) async throws {
        try await withTestSimulator(config: .testing()) { sim in
            try await SimTestClient.with(sim) { api in
                let response = try await api.post(APIPath.batchGenerations(ledgerID), body)
                #expect(response.status == 422)
                #expect(response.errorMessages == messages)
                #expect(try response.decode(ErrorResponse.self).statusCode == 422)
                #expect(await sim.tasks().isEmpty)
            }
        }
    }

    @Test func optionalFieldsAreAccepted() async throws {
        try await withTestSimulator(config: .testing()) { sim in
            try await SimTestClient.with(sim) { api in
                let body = #"{"start_time":"2025-01-01T00:00:00.000Z","end_time":"2025-01-31T23:59:59.000Z","data_point_ids":["dp_1"],"batch_amounts":[{"batch_id":"bat_1","primary_output_amount":1.5}],"skipped_data_point_type_ids":[3],"extra":true}"#
                let response = try await api.post(APIPath.batchGenerations(ledgerID), body)
                #expect(response.status == 202)
                let recorded = try #require(await sim.requests().first?.generationRequest)
                #expect(recorded.dataPointIds == ["dp_1"])
                #expect(recorded.skippedDataPointTypeIds == [3])
            }
        }
    }
}
