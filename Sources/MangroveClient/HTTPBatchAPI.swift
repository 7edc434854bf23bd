import AsyncHTTPClient
import Foundation
import Logging
import MangroveAPI
import NIOHTTP1
import SchedulerCore

/// `BatchAPI` over HTTP (AsyncHTTPClient): the scheduler's only way to reach Mangrove.
///
/// Every call sends `Authorization: Bearer …`, `Accept: application/json` and the
/// `User-Agent`, decodes tolerantly with the MangroveAPI models, and retries failures by
/// the rule in `RetryClassification` (idempotent calls on 408/429/502/503/504 and
/// connection failures; the generation POST only when the server provably did not act on
/// it), waiting per `RetryPolicy` and `Retry-After`.
///
/// Errors: every method throws `APIError` with the token scrubbed from its text, or
/// `CancellationError` when the calling task is cancelled before or between attempts (a
/// cancelled task never starts an attempt; a POST cancelled mid-flight is `outcomeUnknown`).
///
/// Time, sleeping and randomness are injected so tests never wait and pin every delay.
/// The caller owns `httpClient` (create it with `configuration.httpClientConfiguration`)
/// and shuts it down.
public struct HTTPBatchAPI: BatchAPI {
    public let configuration: APIClientConfiguration
    let token: APIToken
    let httpClient: HTTPClient
    let logger: Logger
    let sleep: @Sendable (Duration) async throws -> Void
    let now: @Sendable () -> Date
    let random: @Sendable () -> UInt64
    let requestRecorder: (any APIRequestRecording)?

    /// - Parameters:
    ///   - sleep: waits between attempts (tests record the durations and return at once).
    ///   - now: the wall clock, for `Retry-After` HTTP-dates.
    ///   - random: 64 random bits per call, the jitter source of the backoff.
    ///   - requestRecorder: told about every attempt (metrics); nil records nothing.
    public init(
        configuration: APIClientConfiguration,
        token: APIToken,
        httpClient: HTTPClient,
        logger: Logger,
        sleep: @escaping @Sendable (Duration) async throws -> Void = { try await Task.sleep(for: $0) },
        now: @escaping @Sendable () -> Date = { Date() },
        random: @escaping @Sendable () -> UInt64 = {
            var generator = SystemRandomNumberGenerator()
            return generator.next()
        },
        requestRecorder: (any APIRequestRecording)? = nil
    ) {
        self.requestRecorder = requestRecorder
        self.configuration = configuration
        self.token = token
        self.httpClient = httpClient
        self.logger = logger
        self.sleep = sleep
        self.now = now
        self.random = random
    }

    public func ledgers() async throws -> [Ledger] {
        try await listAllPages(APIPath.ledgers, query: [], pagingOnFirstPage: false, id: \Ledger.id)
    }

    public func requiredInputs(ledgerID: String) async throws -> [RequiredInput] {
        let list = try await send(
            .GET, path: APIPath.requiredInputs(ledgerID.pathSegmentEncoded), idempotency: .idempotent,
            decoding: ListResponse<RequiredInput>.self
        )
        return list.data
    }

    public func generatePreview(ledgerID: String, request: BatchGenerationRequest) async throws -> [PreviewEntry] {
        let list = try await send(
            .POST, path: APIPath.generatePreview(ledgerID.pathSegmentEncoded), body: request,
            idempotency: .idempotent, decoding: ListResponse<PreviewEntry>.self
        )
        return list.data
    }

    public func createBatchGeneration(ledgerID: String, request: BatchGenerationRequest) async throws -> AsyncTask {
        try await send(
            .POST, path: APIPath.batchGenerations(ledgerID.pathSegmentEncoded), body: request,
            idempotency: .nonIdempotent, decoding: AsyncTask.self
        )
    }

    public func asyncTask(id: Int) async throws -> AsyncTask {
        try await send(.GET, path: APIPath.asyncTask(id), idempotency: .idempotent, decoding: AsyncTask.self)
    }

    public func batches(ledgerID: String) async throws -> [Batch] {
        try await listAllPages(
            APIPath.batches(ledgerID.pathSegmentEncoded), query: [(name: "sort", value: "-created_at")],
            pagingOnFirstPage: true, id: \Batch.id
        )
    }

    public func batches(ledgerID: String, createdSince: Date) async throws -> [Batch] {
        let bound = UTCTimestamp.format(createdSince)
        return try await listAllPages(
            APIPath.batches(ledgerID.pathSegmentEncoded), query: [(name: "sort", value: "-created_at")],
            pagingOnFirstPage: true, id: \Batch.id,
            isPast: { page in OlderPage.reachesPast(page.map(\.createdAt), than: bound) }
        )
    }
}

extension String {
    /// The string percent-encoded for use as one URL path segment (IDs never contain `/`,
    /// but a typo in a schedule must not change which endpoint is hit).
    var pathSegmentEncoded: String {
        var result = ""
        for byte in utf8 {
            switch byte {
            case UInt8(ascii: "a")...UInt8(ascii: "z"), UInt8(ascii: "A")...UInt8(ascii: "Z"),
                UInt8(ascii: "0")...UInt8(ascii: "9"), UInt8(ascii: "-"), UInt8(ascii: "."), UInt8(ascii: "_"),
                UInt8(ascii: "~"):
                result.unicodeScalars.append(Unicode.Scalar(byte))
            default:
                result += "%" + String(byte, radix: 16, uppercase: true).leftPadded(to: 2)
            }
        }
        return result
    }

    fileprivate func leftPadded(to width: Int) -> String {
        count >= width ? self : String(repeating: "0", count: width - count) + self
    }
}
