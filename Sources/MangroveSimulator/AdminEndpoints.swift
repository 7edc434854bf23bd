import Foundation
import MangroveAPI
import SchedulerCore

/// The unauthenticated `/_sim/...` endpoints that let an out-of-process test read
/// the request log, replace fault rules and move the clock:
///
/// - `GET /_sim/requests` → `{"data": [RecordedRequest]}`
/// - `DELETE /_sim/requests` → 204, log cleared
/// - `GET /_sim/faults` → `{"data": [FaultRule]}`
/// - `POST /_sim/faults` with `[FaultRule]` or `{"faults": [FaultRule]}` → rules replaced
/// - `GET /_sim/tasks` → `{"data": [AsyncTask]}`
/// - `POST /_sim/clock` with `{"advance_seconds": N}` → `{"now": "..."}`
/// - `POST /_sim/batches` with `{"ledger_id": "...", "start_time": "...", "end_time": "..."}`
///   → 201 with the batch: a batch made as if in the Mangrove app (no task, not logged)
struct AdminEndpoints: Sendable {
    let state: SimulatorState

    private struct FaultsEnvelope: Decodable {
        var faults: [FaultRule]
    }

    private struct ClockRequest: Decodable {
        var advanceSeconds: Double
        enum CodingKeys: String, CodingKey { case advanceSeconds = "advance_seconds" }
    }

    private struct AppBatchRequest: Decodable {
        var ledgerID: String
        var startTime: String
        var endTime: String
        enum CodingKeys: String, CodingKey {
            case ledgerID = "ledger_id", startTime = "start_time", endTime = "end_time"
        }
    }

    private struct ClockReply: Encodable {
        var now: String
    }

    private struct DataEnvelope<T: Encodable>: Encodable {
        var data: T
    }

    func handle(_ request: IncomingRequest) async -> SimulatorReply {
        let route = String(request.path.dropFirst(SimulatorResponder.adminPrefix.count))
        switch (request.method, route) {
        case ("GET", "/requests"):
            return .json(200, DataEnvelope(data: await state.log))
        case ("DELETE", "/requests"):
            await state.clearLog()
            return .respond(status: 204, body: nil, headers: [:])
        case ("GET", "/faults"):
            return .json(200, DataEnvelope(data: await state.faults))
        case ("POST", "/faults"):
            let data = Data(request.body ?? [])
            let isArray = (request.body ?? []).first(where: { ![9, 10, 13, 32].contains($0) }) == UInt8(ascii: "[")
            let rules: [FaultRule]
            do {
                if isArray {
                    rules = try JSONDecoder().decode([FaultRule].self, from: data)
                } else {
                    rules = try JSONDecoder().decode(FaultsEnvelope.self, from: data).faults
                }
            } catch let error as DecodingError {
                return .error(422, "invalid fault rules (expected [rule] or {\"faults\": [rule]}): \(error.readableDescription)")
            } catch {
                return .error(422, "invalid fault rules: \(error)")
            }
            await state.setFaults(rules)
            return .json(200, DataEnvelope(data: rules))
        case ("GET", "/tasks"):
            return .json(200, DataEnvelope(data: await state.taskSnapshots()))
        case ("POST", "/clock"):
            guard let body = try? JSONDecoder().decode(ClockRequest.self, from: Data(request.body ?? [])) else {
                return .error(422, "expected {\"advance_seconds\": N}")
            }
            let now = await state.advanceClock(bySeconds: body.advanceSeconds)
            return .json(200, ClockReply(now: UTCTimestamp.format(now)))
        case ("POST", "/batches"):
            guard let body = try? JSONDecoder().decode(AppBatchRequest.self, from: Data(request.body ?? [])),
                  let batch = await state.createAppBatch(ledgerID: body.ledgerID, startTime: body.startTime, endTime: body.endTime)
            else {
                return .error(422, "expected {\"ledger_id\": \"...\", \"start_time\": \"2025-04-01T00:00:00.000Z\", \"end_time\": \"2025-04-30T23:59:59.000Z\"}")
            }
            return .json(201, batch)
        default:
            return .notFound
        }
    }
}
