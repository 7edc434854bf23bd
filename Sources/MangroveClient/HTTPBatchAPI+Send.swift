import AsyncHTTPClient
import Foundation
import Logging
import MangroveAPI
import NIOCore
import NIOHTTP1
import SchedulerCore

extension HTTPBatchAPI {
    /// What one attempt produced.
    enum AttemptResult {
        /// The server answered (any status) and the whole body was read.
        case answered(status: Int, headers: HTTPHeaders, body: ByteBuffer)
        /// No complete answer.
        case failed(TransportFailure)
    }

    /// Sends one API call with the retry rule of `RetryClassification`, decoding a 2xx body
    /// as `Response`. Throws `APIError` (token redacted), or `CancellationError` when the
    /// task is cancelled while nothing is left in doubt.
    func send<Response: Decodable>(
        _ method: HTTPMethod, path: String, query: [(name: String, value: String)] = [],
        body: BatchGenerationRequest? = nil, idempotency: RequestIdempotency, decoding: Response.Type
    ) async throws -> Response {
        let endpoint = "\(method.rawValue) \(path)"
        var request = HTTPClientRequest(url: configuration.url(path: path, query: query))
        request.method = method
        request.headers.add(name: "Authorization", value: token.authorizationHeaderValue)
        request.headers.add(name: "Accept", value: "application/json")
        request.headers.add(name: "User-Agent", value: configuration.userAgent)
        if let body {
            let encoded: Data
            do {
                encoded = try JSONEncoder().encode(body)
            } catch {
                throw APIError.invalidResponse(reason: "\(endpoint): could not encode the request body: \(error)")
                    .redacted(by: token)
            }
            request.headers.add(name: "Content-Type", value: "application/json")
            request.body = .bytes(ByteBuffer(bytes: encoded))
        }

        var generator = ClosureRandomNumberGenerator(nextValue: random)
        var attempt = 0
        while true {
            attempt += 1
            // A cancelled task sends nothing, so a shutdown never turns into an unknown outcome.
            try Task.checkCancellation()
            let started = ContinuousClock.now
            let result = await attemptOnce(request)
            let elapsed = ContinuousClock.now - started
            var logMetadata: Logger.Metadata = [
                "http_method": "\(method.rawValue)", "http_path": "\(path)", "attempt": "\(attempt)",
                "duration_ms": "\(Int((elapsed.seconds * 1000).rounded()))",
            ]

            let failure: AttemptFailure
            var retryAfter: Duration?
            switch result {
            case .answered(let status, let headers, let bodyBuffer):
                logMetadata["http_status"] = "\(status)"
                logger.debug("Mangrove API request", metadata: logMetadata)
                if (200..<300).contains(status) {
                    return try decode(Response.self, from: bodyBuffer, status: status, endpoint: endpoint, idempotency: idempotency)
                }
                let message = (try? JSONDecoder().decode(ErrorResponse.self, from: Data(bodyBuffer.readableBytesView)))?
                    .joinedMessages.map(token.redact)
                failure = .status(status, message: message)
                if let header = headers.first(name: "Retry-After") {
                    retryAfter = RetryAfter.parse(header, now: now())
                }
            case .failed(let transport):
                logMetadata["error"] = "\(token.redact(transport.reason))"
                logger.debug("Mangrove API request failed", metadata: logMetadata)
                failure = .transport(transport)
            }

            switch RetryClassification.verdict(for: failure, idempotency: idempotency, endpoint: endpoint, retryAfterGiven: retryAfter != nil) {
            case .fail(let error):
                throw error.redacted(by: token)
            case .retry(let exhausted):
                if idempotency == .nonIdempotent {
                    // Nothing was processed: hand it back so the daemon journals that before any wait.
                    throw APIError.notProcessed(
                        reason: "\(endpoint): \(failure.logDescription)", status: failure.status,
                        retryAfter: retryAfter.map { min($0, configuration.retryPolicy.maxRetryAfter) }
                    ).redacted(by: token)
                }
                try Task.checkCancellation()
                guard
                    let delay = configuration.retryPolicy.delay(
                        afterAttempt: attempt, retryAfter: retryAfter, using: &generator
                    )
                else {
                    throw exhausted.redacted(by: token)
                }
                logger.warning(
                    "Retrying Mangrove API request",
                    metadata: [
                        "http_method": "\(method.rawValue)", "http_path": "\(path)", "attempt": "\(attempt)",
                        "reason": "\(token.redact(failure.logDescription))",
                        "delay_ms": "\(Int((delay.seconds * 1000).rounded()))",
                        "retry_after_ms": "\(retryAfter.map { "\(Int(($0.seconds * 1000).rounded()))" } ?? "none")",
                    ]
                )
                try await sleep(delay)
            }
        }
    }

    /// One request/response exchange; every error becomes a `TransportFailure`.
    private func attemptOnce(_ request: HTTPClientRequest) async -> AttemptResult {
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, timeout: configuration.requestTimeout.timeAmount)
        } catch {
            return .failed(TransportFailure.classify(error))
        }
        let status = Int(response.status.code)
        do {
            let body = try await response.body.collect(upTo: configuration.maxResponseBytes)
            return .answered(status: status, headers: response.headers, body: body)
        } catch {
            // The status line arrived, so the request was sent whatever the error says.
            let detail =
                error is NIOTooManyBytesError
                ? "body larger than \(configuration.maxResponseBytes) bytes"
                : TransportFailure.classify(error).reason
            return .failed(.maybeSent(reason: "answer HTTP \(status) broke off while reading the body: \(detail)"))
        }
    }

    /// Decodes a 2xx body. A body that does not decode is `invalidResponse` for idempotent
    /// calls; for the generation POST the server accepted the request, so it is
    /// `outcomeUnknown` (the daemon must reconcile, never re-send).
    private func decode<Response: Decodable>(
        _ type: Response.Type, from buffer: ByteBuffer, status: Int, endpoint: String, idempotency: RequestIdempotency
    ) throws(APIError) -> Response {
        do {
            return try JSONDecoder().decode(Response.self, from: Data(buffer.readableBytesView))
        } catch {
            let what = (error as? DecodingError)?.summary ?? "\(error)"
            let reason = "\(endpoint): HTTP \(status) body could not be decoded as \(Response.self): \(what)"
            switch idempotency {
            case .idempotent: throw APIError.invalidResponse(reason: reason).redacted(by: token)
            case .nonIdempotent:
                throw APIError.outcomeUnknown(reason: reason + "; the server accepted the request").redacted(by: token)
            }
        }
    }
}

extension AttemptFailure {
    /// The HTTP status, when the server answered.
    var status: Int? {
        if case .status(let status, _) = self { return status }
        return nil
    }

    /// Short text for the retry log line.
    var logDescription: String {
        switch self {
        case .status(let status, let message): message.map { "HTTP \(status): \($0)" } ?? "HTTP \(status)"
        case .transport(let transport): transport.reason
        }
    }
}
