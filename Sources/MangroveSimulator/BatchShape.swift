import MangroveAPI

/// Builds batches in the retrieve-batch seed's full shape, with values derived
/// from the batch's sequence so they are stable for a given seed.
enum BatchShape {
    static func full(
        id: String, trackingID: String, startTime: String, endTime: String, createdAt: String,
        value: Double, sequence: Int, taskID: Int, outputName: String, unit: String
    ) -> Batch {
        let primaryOutput = JSONValue.object([
            "id": .number(1),
            "name": .string(outputName),
            "unit": .string(unit),
            "data_point_type_id": .number(5),
            "value": .number(value),
        ])
        let modelRun = JSONValue.object([
            "id": .number(Double(taskID)),
            "start_time": .string(startTime),
            "end_time": .string(endTime),
            "state": .string("complete"),
            "error_message": .null,
            "created_at": .string(createdAt),
            "updated_at": .string(createdAt),
            "calculations": .array([]),
            "output_data_points": .array([]),
        ])
        let inputData = JSONValue.object([
            "data_point": .object([
                "id": .string("in_sim\(sequence)"),
                "slug": .string("feedstock-mass"),
                "data_point_type": .string("Mass of Feedstock"),
                "value": .number(value),
                "unit": .string(unit),
                "status": .string("complete"),
            ]),
            "event": .object([
                "id": .string("evt_sim\(sequence)"),
                "slug": .string("feedstock-delivery"),
                "event_type": .string("Feedstock Delivery"),
                "tracking_id": .string("FD-\(sequence)"),
                "start_time": .string(startTime),
                "end_time": .string(endTime),
            ]),
        ])
        return Batch(
            id: id, trackingId: trackingID, startTime: startTime, endTime: endTime, state: "complete",
            createdAt: createdAt, updatedAt: createdAt, primaryOutput: primaryOutput, ledgerBalance: value,
            allocations: [], modelRun: modelRun, feedstocks: [], inputData: [inputData],
            reportAllocations: [], downstreamBatchAllocations: []
        )
    }
}
