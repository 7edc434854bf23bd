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
    ///
    /// This is the one door every answer of the API leaves the client through: the decoded
    /// value has the token scrubbed from every string it carries (`Redactable`), and so has
    /// every `APIError` thrown, whichever attempt or decoding step raised it.
    func send<Response: Decodable & Redactable>(
        _ method: HTTPMethod, path: String, query: [(name: String, value: String)] = [],
        body: BatchGenerationRequest? = nil, idempotency: RequestIdempotency, decoding: Response.Type
    ) async throws -> Response {
        do {
            let response = try await sendWithRetries(
                method, path: path, query: query, body: body, idempotency: idempotency, decoding: Response.self
            )
            return response.redacted(token.redact)
        } catch let error as APIError {
            throw error.redacted(by: token)
        }
    }

    /// `send` before redaction; never call it from anywhere else.
    private func sendWithRetries<Response: Decodable>(
        _ method: HTTPMethod, path: String, query: [(name: String, value: String)],
        body: BatchGenerationRequest?, idempotency: RequestIdempotency, decoding: Response.Type
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

        var generator = ClosureRNG(next: random)
        let endpointLabel = APIEndpointLabel.of(method: method.rawValue, path: path)
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
                requestRecorder?.requestFinished(endpoint: endpointLabel, statusClass: APIEndpointLabel.statusClass(status), seconds: elapsed.seconds)
                logMetadata["http_status"] = "\(status)"
                logger.debug("Mangrove API request", metadata: logMetadata)
                if (200..<300).contains(status) {
                    return try decode(Response.self, from: bodyBuffer, status: status, endpoint: endpoint, idempotency: idempotency)
                }
                failure = .status(status, message: errorMessage(status: status, headers: headers, body: bodyBuffer))
                if let header = headers.first(name: "Retry-After") {
                    retryAfter = RetryAfter.parse(header, now: now())
                }
            case .failed(let transport):
                requestRecorder?.requestFinished(endpoint: endpointLabel, statusClass: APIEndpointLabel.transport, seconds: elapsed.seconds)
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
    ///
    /// `requestTimeout` is a deadline for the whole exchange, from sending to the last byte
    /// of the body. AsyncHTTPClient's `deadline` only covers the response head, so reading
    /// the body is raced against the rest of it: a server that trickles its answer (one
    /// byte a second) is cut off at the deadline, and the attempt is a maybe-sent transport
    /// failure (retried for idempotent calls, outcome unknown for the POST).
    private func attemptOnce(_ request: HTTPClientRequest) async -> AttemptResult {
        let timeout = configuration.requestTimeout
        let deadline = NIODeadline.now() + timeout.timeAmount
        let response: HTTPClientResponse
        do {
            response = try await httpClient.execute(request, deadline: deadline)
        } catch {
            if case .deadlineExceeded? = error as? HTTPClientError {
                return .failed(.maybeSent(reason: "no answer within request_timeout (\(timeout.secondsText))"))
            }
            return .failed(TransportFailure.classify(error))
        }
        let status = Int(response.status.code)
        let maxBytes = configuration.maxResponseBytes
        do {
            let body = try await Self.collect(response.body, upTo: maxBytes, deadline: deadline)
            return .answered(status: status, headers: response.headers, body: body)
        } catch {
            // The status line arrived, so the request was sent whatever the error says.
            let detail: String
            switch error {
            case is NIOTooManyBytesError: detail = "body larger than \(maxBytes) bytes"
            case is BodyDeadlineExceeded: detail = "request_timeout (\(timeout.secondsText)) ran out before the body was complete"
            default: detail = TransportFailure.classify(error).reason
            }
            return .failed(.maybeSent(reason: "answer HTTP \(status) broke off while reading the body: \(detail)"))
        }
    }

    /// Thrown when the body is still arriving at the request's deadline.
    private struct BodyDeadlineExceeded: Error {}

    /// Collects `body`, or throws `BodyDeadlineExceeded` at `deadline` (the reading task is
    /// cancelled, which makes AsyncHTTPClient cancel the request and close the connection).
    private static func collect(
        _ body: HTTPClientResponse.Body, upTo maxBytes: Int, deadline: NIODeadline
    ) async throws -> ByteBuffer {
        try await withThrowingTaskGroup(of: ByteBuffer?.self) { group in
            group.addTask { try await body.collect(upTo: maxBytes) }
            group.addTask {
                let remaining = deadline - NIODeadline.now()
                if remaining > .zero { try await Task.sleep(for: .nanoseconds(remaining.nanoseconds)) }
                return nil
            }
            defer { group.cancelAll() }
            guard let first = try await group.next(), let buffer = first else { throw BodyDeadlineExceeded() }
            return buffer
        }
    }

    /// The message of a non-2xx answer: the API's `errors[].message`; for a redirect, where
    /// it pointed (redirects are never followed); for any other body that is not the API's
    /// error JSON (a proxy's HTML page), its first characters. Redacted by `send`.
    private func errorMessage(status: Int, headers: HTTPHeaders, body: ByteBuffer) -> String? {
        let bytes = Data(body.readableBytesView)
        if (300..<400).contains(status) {
            let location = headers.first(name: "Location").map { "to \(Self.quoted($0, limit: 200))" } ?? "without a Location"
            return "redirect \(location) not followed (redirects are refused; check api.base_url)"
        }
        if let decoded = try? JSONDecoder().decode(ErrorResponse.self, from: bytes), let joined = decoded.joinedMessages {
            return joined
        }
        return bytes.isEmpty ? nil : "body is not the API's error JSON: \(bodyExcerpt(bytes))"
    }

    /// The first characters of a body for an error message, quoted, with the token redacted
    /// before it is cut (so no prefix of the token can survive the cut).
    func bodyExcerpt(_ bytes: Data) -> String {
        Self.quoted(token.redact(String(decoding: bytes, as: UTF8.self)), limit: 120)
    }

    private static func quoted(_ text: String, limit: Int) -> String {
        var flat = ""
        for scalar in text.unicodeScalars {
            switch scalar {
            case "\n", "\r", "\t": flat.unicodeScalars.append(" ")
            case "\"": flat += "\\\""
            default:
                if scalar.value < 0x20 || scalar.value == 0x7F { flat += "\\u{\(String(scalar.value, radix: 16))}" }
                else { flat.unicodeScalars.append(scalar) }
            }
        }
        return "\"" + (flat.count > limit ? String(flat.prefix(limit)) + "…" : flat) + "\""
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
            let bytes = Data(buffer.readableBytesView)
            let reason = "\(endpoint): HTTP \(status) body could not be decoded as \(Response.self): \(what); "
                + (bytes.isEmpty ? "the body is empty" : "it starts with \(bodyExcerpt(bytes))")
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

extension Duration {
    /// `5 s`, `0.25 s`: for messages about a timeout.
    fileprivate var secondsText: String {
        let value = seconds
        return value.rounded() == value ? "\(Int(value)) s" : "\(value) s"
    }
}
