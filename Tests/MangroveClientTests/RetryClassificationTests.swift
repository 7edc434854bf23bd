import MangroveAPI
import Testing

@testable import MangroveClient

@Suite("Retry classification")
struct RetryClassificationTests {
    static let endpoint = "POST /ledgers/lgr_1/batch_generations"

    static func verdict(_ failure: AttemptFailure, _ idempotency: RequestIdempotency, retryAfter: Bool = true) -> RetryVerdict {
        RetryClassification.verdict(for: failure, idempotency: idempotency, endpoint: endpoint, retryAfterGiven: retryAfter)
    }

    @Test("408, 429, 503 with Retry-After are retried for every call, ending in .http when exhausted", arguments: [408, 429, 503])
    func retriedEverywhere(status: Int) {
        for idempotency in [RequestIdempotency.idempotent, .nonIdempotent] {
            #expect(
                Self.verdict(.status(status, message: "busy"), idempotency)
                    == .retry(ifExhausted: .http(status: status, message: "busy"))
            )
        }
    }

    @Test("a bare 503 (no Retry-After) is retried for reads but an unknown outcome for the POST")
    func bare503() {
        #expect(Self.verdict(.status(503, message: nil), .idempotent, retryAfter: false) == .retry(ifExhausted: .http(status: 503, message: nil)))
        guard case .fail(.outcomeUnknown(let reason)) = Self.verdict(.status(503, message: nil), .nonIdempotent, retryAfter: false) else {
            Issue.record("a bare 503 on the POST must not be re-sent")
            return
        }
        #expect(reason.contains("503"))
        // 408 and 429 never depend on Retry-After.
        #expect(Self.verdict(.status(429, message: nil), .nonIdempotent, retryAfter: false) == .retry(ifExhausted: .http(status: 429, message: nil)))
    }

    @Test("502 and 504 are retried for idempotent calls, outcome unknown for the POST", arguments: [502, 504])
    func gatewayErrors(status: Int) {
        #expect(
            Self.verdict(.status(status, message: nil), .idempotent)
                == .retry(ifExhausted: .http(status: status, message: nil))
        )
        guard case .fail(.outcomeUnknown(let reason)) = Self.verdict(.status(status, message: nil), .nonIdempotent)
        else {
            Issue.record("expected outcomeUnknown for POST \(status)")
            return
        }
        #expect(reason.contains("HTTP \(status)"))
        #expect(reason.contains(Self.endpoint))
    }

    @Test("500 and other 5xx are final for idempotent calls, outcome unknown for the POST",
          arguments: [500, 501, 505, 507, 511, 599])
    func serverErrors(status: Int) {
        #expect(
            Self.verdict(.status(status, message: "boom"), .idempotent)
                == .fail(.http(status: status, message: "boom"))
        )
        guard case .fail(.outcomeUnknown(let reason)) = Self.verdict(.status(status, message: "boom"), .nonIdempotent)
        else {
            Issue.record("expected outcomeUnknown for POST \(status)")
            return
        }
        #expect(reason.contains("boom"))
    }

    @Test("client errors and odd statuses are final with their message for every call",
          arguments: [100, 301, 302, 304, 400, 401, 403, 404, 405, 409, 410, 413, 415, 422, 451, 499])
    func finalStatuses(status: Int) {
        for idempotency in [RequestIdempotency.idempotent, .nonIdempotent] {
            #expect(
                Self.verdict(.status(status, message: "record not found"), idempotency)
                    == .fail(.http(status: status, message: "record not found"))
            )
        }
    }

    @Test("every status from 100 to 599 has exactly the documented verdict")
    func fullStatusTable() {
        for status in 100...599 {
            let idempotent = Self.verdict(.status(status, message: nil), .idempotent)
            let post = Self.verdict(.status(status, message: nil), .nonIdempotent)
            let http = APIError.http(status: status, message: nil)
            switch status {
            case 408, 429, 503:
                #expect(idempotent == .retry(ifExhausted: http))
                #expect(post == .retry(ifExhausted: http))
            case 502, 504:
                #expect(idempotent == .retry(ifExhausted: http))
                #expect(post.isOutcomeUnknown)
            case 500...599:
                #expect(idempotent == .fail(http))
                #expect(post.isOutcomeUnknown)
            default:
                #expect(idempotent == .fail(http))
                #expect(post == .fail(http))
            }
        }
    }

    @Test("a connection that was never established is retried for every call, then unreachable")
    func notSent() {
        for idempotency in [RequestIdempotency.idempotent, .nonIdempotent] {
            let verdict = Self.verdict(.transport(.notSent(reason: "connection refused")), idempotency)
            guard case .retry(.unreachable(let reason)) = verdict else {
                Issue.record("expected retry → unreachable, got \(verdict)")
                continue
            }
            #expect(reason.contains("connection refused"))
        }
    }

    @Test("a maybe-sent failure is retried for idempotent calls but never for the POST")
    func maybeSent() {
        #expect(
            Self.verdict(.transport(.maybeSent(reason: "read timeout")), .idempotent)
                == .retry(ifExhausted: .unreachable(reason: "\(Self.endpoint): read timeout"))
        )
        let post = Self.verdict(.transport(.maybeSent(reason: "read timeout")), .nonIdempotent)
        #expect(post.isOutcomeUnknown)
    }

    @Test("a permanent local failure is final for every call")
    func permanent() {
        for idempotency in [RequestIdempotency.idempotent, .nonIdempotent] {
            #expect(
                Self.verdict(.transport(.permanent(reason: "invalid URL")), idempotency)
                    == .fail(.unreachable(reason: "\(Self.endpoint): invalid URL"))
            )
        }
    }
}

extension RetryVerdict {
    var isOutcomeUnknown: Bool {
        if case .fail(.outcomeUnknown) = self { return true }
        return false
    }
}
