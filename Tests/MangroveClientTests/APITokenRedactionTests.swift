import MangroveAPI
import Testing

@testable import MangroveClient

@Suite("API token redaction")
struct APITokenRedactionTests {
    let token = APIToken("sk_live_SECRET123")

    @Test("the token never prints")
    func descriptions() {
        #expect(token.description == "<redacted>")
        #expect(String(reflecting: token) == "<redacted>")
        #expect("\(token)" == "<redacted>")
        var dumped = ""
        dump(token, to: &dumped)
        #expect(!dumped.contains("SECRET123"))
    }

    @Test("redact replaces every occurrence")
    func redact() {
        #expect(
            token.redact("Bearer sk_live_SECRET123 and again sk_live_SECRET123!")
                == "Bearer <redacted> and again <redacted>!"
        )
        #expect(token.redact("nothing to hide") == "nothing to hide")
        #expect(APIToken("").redact("keep me") == "keep me")
    }

    @Test("APIError texts are scrubbed")
    func apiErrors() {
        let errors: [APIError] = [
            .http(status: 401, message: "bad token sk_live_SECRET123"),
            .outcomeUnknown(reason: "sk_live_SECRET123"),
            .unreachable(reason: "x sk_live_SECRET123"),
            .invalidResponse(reason: "sk_live_SECRET123 y"),
            .missingToken(reason: "sk_live_SECRET123"),
        ]
        for error in errors {
            #expect(!error.redacted(by: token).description.contains("SECRET123"))
        }
    }

    @Test("the header value carries the token; nothing else does")
    func header() {
        #expect(token.authorizationHeaderValue == "Bearer sk_live_SECRET123")
        #expect(APIToken("  padded\n").authorizationHeaderValue == "Bearer padded")
    }
}
