/// A payload whose every server-supplied string can be scrubbed of a secret.
///
/// `HTTPBatchAPI.send` only decodes types that conform, and passes every decoded value
/// through `redacted(_:)` before it leaves the client, so a server (or a proxy) that
/// echoes the bearer token in any text field (`error_message`, `progress_description`,
/// a batch's `state`, a ledger's `name`, anything inside `args`/`result`) cannot carry it
/// into a log line, the journal, `STATUS=` or an error. A new response type must conform
/// to be decodable at all, so no payload can bypass the scrub.
public protocol Redactable {
    /// The same value with `scrub` applied to every `String` it carries (keys of raw JSON
    /// objects included).
    func redacted(_ scrub: (String) -> String) -> Self
}

extension Optional where Wrapped: Redactable {
    func redacted(_ scrub: (String) -> String) -> Self { map { $0.redacted(scrub) } }
}

extension Optional where Wrapped == String {
    func redacted(_ scrub: (String) -> String) -> Self { map(scrub) }
}

extension Array: Redactable where Element: Redactable {
    public func redacted(_ scrub: (String) -> String) -> [Element] { map { $0.redacted(scrub) } }
}

extension JSONValue: Redactable {
    public func redacted(_ scrub: (String) -> String) -> JSONValue {
        switch self {
        case .null, .bool, .number: self
        case .string(let text): .string(scrub(text))
        case .array(let values): .array(values.map { $0.redacted(scrub) })
        case .object(let members):
            .object(Dictionary(members.map { (scrub($0.key), $0.value.redacted(scrub)) }, uniquingKeysWith: { a, _ in a }))
        }
    }
}

extension TaskState: Redactable {
    public func redacted(_ scrub: (String) -> String) -> TaskState {
        if case .unknown(let text) = self { return .unknown(scrub(text)) }
        return self
    }
}

extension AsyncTask: Redactable {
    public func redacted(_ scrub: (String) -> String) -> AsyncTask {
        var copy = self
        copy.type = type.redacted(scrub)
        copy.state = state.redacted(scrub)
        copy.progressDescription = progressDescription.redacted(scrub)
        copy.createdAt = createdAt.redacted(scrub)
        copy.startedAt = startedAt.redacted(scrub)
        copy.finishedAt = finishedAt.redacted(scrub)
        copy.errorMessage = errorMessage.redacted(scrub)
        copy.result = result.redacted(scrub)
        copy.args = args.redacted(scrub)
        return copy
    }
}

extension Batch: Redactable {
    public func redacted(_ scrub: (String) -> String) -> Batch {
        var copy = self
        copy.id = scrub(id)
        copy.trackingId = trackingId.redacted(scrub)
        copy.startTime = startTime.redacted(scrub)
        copy.endTime = endTime.redacted(scrub)
        copy.state = state.redacted(scrub)
        copy.createdAt = createdAt.redacted(scrub)
        copy.updatedAt = updatedAt.redacted(scrub)
        copy.primaryOutput = primaryOutput.redacted(scrub)
        copy.allocations = allocations.redacted(scrub)
        copy.modelRun = modelRun.redacted(scrub)
        copy.feedstocks = feedstocks.redacted(scrub)
        copy.inputData = inputData.redacted(scrub)
        copy.reportAllocations = reportAllocations.redacted(scrub)
        copy.downstreamBatchAllocations = downstreamBatchAllocations.redacted(scrub)
        return copy
    }
}

extension Ledger: Redactable {
    public func redacted(_ scrub: (String) -> String) -> Ledger {
        var copy = self
        copy.id = scrub(id)
        copy.name = name.redacted(scrub)
        copy.unit = unit.redacted(scrub)
        copy.systemLedgerType = systemLedgerType.redacted(scrub)
        copy.partitionType = partitionType.redacted(scrub)
        copy.cadence = cadence.redacted(scrub)
        copy.latestModel = latestModel.redacted(scrub)
        copy.assetCategory = assetCategory.redacted(scrub)
        copy.createdAt = createdAt.redacted(scrub)
        copy.updatedAt = updatedAt.redacted(scrub)
        return copy
    }
}

extension ModelReference: Redactable {
    public func redacted(_ scrub: (String) -> String) -> ModelReference {
        ModelReference(id: scrub(id), name: name.redacted(scrub))
    }
}

extension RequiredInput: Redactable {
    public func redacted(_ scrub: (String) -> String) -> RequiredInput {
        var copy = self
        copy.name = name.redacted(scrub)
        copy.slug = slug.redacted(scrub)
        copy.unit = unit.redacted(scrub)
        copy.valueType = valueType.redacted(scrub)
        copy.category = category.redacted(scrub)
        copy.subcategory = subcategory.redacted(scrub)
        copy.allocationGroups = allocationGroups.redacted(scrub)
        copy.outputOfLedgers = outputOfLedgers.redacted(scrub)
        return copy
    }
}

extension PreviewEntry: Redactable {
    public func redacted(_ scrub: (String) -> String) -> PreviewEntry {
        PreviewEntry(id: scrub(id), name: name.redacted(scrub), count: count)
    }
}

extension ListResponse: Redactable where Element: Redactable {
    public func redacted(_ scrub: (String) -> String) -> ListResponse {
        ListResponse(data: data.redacted(scrub), meta: meta)
    }
}

extension ErrorResponse: Redactable {
    public func redacted(_ scrub: (String) -> String) -> ErrorResponse {
        var copy = self
        copy.status = status.redacted(scrub)
        copy.errors = errors.map { ErrorMessage(message: $0.message.redacted(scrub)) }
        return copy
    }
}
