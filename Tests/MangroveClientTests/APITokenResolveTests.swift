import Foundation
import MangroveAPI
import Testing

@testable import MangroveClient

@Suite("API token resolution")
struct APITokenResolveTests {
    /// A fake file system: path → contents, or an error to throw.
    struct Files {
        var contents: [String: String] = [:]
        var unreadable: [String: String] = [:]

        func read(_ path: String) throws -> String {
            if let reason = unreadable[path] { throw TokenFileError.unreadable(reason: reason) }
            guard let text = contents[path] else { throw TokenFileError.notFound }
            return text
        }
    }

    static let credential = "/run/credentials/mangrove-scheduler.service/mangrove-api-token"

    func resolve(_ env: [String: String], tokenFile: String?, files: Files) throws(APIError) -> APIToken {
        try APIToken.resolve(environment: env, tokenFile: tokenFile, readFile: files.read)
    }

    @Test("the systemd credential wins over token_file and the environment")
    func credentialFirst() throws {
        let files = Files(contents: [Self.credential: "cred-token\n", "/etc/token": "file-token"])
        let token = try resolve(
            ["CREDENTIALS_DIRECTORY": "/run/credentials/mangrove-scheduler.service/", "MANGROVE_API_TOKEN": "env-token"],
            tokenFile: "/etc/token", files: files
        )
        #expect(token.secret == "cred-token")
        #expect(token.source.contains("CREDENTIALS_DIRECTORY"))
    }

    @Test("token_file is used when there is no credential")
    func tokenFileSecond() throws {
        let files = Files(contents: ["/etc/token": "  file-token \r\n"])
        let token = try resolve(
            ["CREDENTIALS_DIRECTORY": "/run/credentials/x", "MANGROVE_API_TOKEN": "env-token"],
            tokenFile: "/etc/token", files: files
        )
        #expect(token.secret == "file-token")
        #expect(token.source == "api.token_file /etc/token")
    }

    @Test("the environment variable is the last resort, trimmed")
    func environmentLast() throws {
        let token = try resolve(["MANGROVE_API_TOKEN": "\tenv-token\n"], tokenFile: "/etc/missing", files: Files())
        #expect(token.secret == "env-token")
        #expect(token.source == "environment variable MANGROVE_API_TOKEN")
    }

    @Test("empty or whitespace-only values count as missing")
    func emptyIsMissing() throws {
        let files = Files(contents: [Self.credential: "\n", "/etc/token": "   "])
        let token = try resolve(
            ["CREDENTIALS_DIRECTORY": "/run/credentials/mangrove-scheduler.service", "MANGROVE_API_TOKEN": "env"],
            tokenFile: "/etc/token", files: files
        )
        #expect(token.secret == "env")
    }

    @Test("a value with spaces or control characters inside is not a token, and is never echoed")
    func malformedValues() {
        let files = Files(contents: ["/etc/token": "two words"])
        do {
            _ = try resolve(["MANGROVE_API_TOKEN": "line1\nline2"], tokenFile: "/etc/token", files: files)
            Issue.record("expected missingToken")
        } catch {
            let text = error.description
            #expect(text.contains("api.token_file /etc/token: contains spaces or control characters"))
            #expect(text.contains("MANGROVE_API_TOKEN: contains spaces or control characters"))
            #expect(!text.contains("two words"))
            #expect(!text.contains("line1"))
        }
    }

    @Test("the error names every place, what was there, and how to provide a token")
    func errorNamesEverything() {
        let files = Files(unreadable: ["/etc/token": "permission denied"])
        #expect {
            _ = try resolve(
                ["CREDENTIALS_DIRECTORY": "/run/credentials/mangrove-scheduler.service", "MANGROVE_API_TOKEN": " "],
                tokenFile: "/etc/token", files: files
            )
        } throws: { error in
            guard case APIError.missingToken(let reason) = error else { return false }
            return reason.contains(Self.credential + "): not present")
                && reason.contains("api.token_file /etc/token: exists but is unreadable: permission denied")
                && reason.contains("MANGROVE_API_TOKEN: empty")
                && reason.contains("LoadCredential=mangrove-api-token:")
                && reason.contains("\"api.token_file\"")
        }
    }

    @Test("unset places are named as unset")
    func unsetPlaces() {
        do {
            _ = try resolve([:], tokenFile: nil, files: Files())
            Issue.record("expected missingToken")
        } catch {
            let text = error.description
            #expect(text.hasPrefix("no API token: "))
            #expect(text.contains("CREDENTIALS_DIRECTORY is not set"))
            #expect(text.contains("api.token_file: not set in the schedule"))
            #expect(text.contains("environment variable MANGROVE_API_TOKEN: not set"))
        }
    }

    @Test("the default reader tells a missing file from an unreadable one")
    func defaultReader() throws {
        #expect(throws: TokenFileError.notFound) {
            try APIToken.readTokenFile("/nonexistent/mangrove-client-tests/\(UInt64.random(in: 0...UInt64.max))")
        }
        // A directory exists but cannot be read as a token.
        #expect {
            try APIToken.readTokenFile("/")
        } throws: { error in
            if case TokenFileError.unreadable = error { return true }
            return false
        }
    }

    @Test("the default reader resolves a real token file, trimmed")
    func realFile() throws {
        let directory = FileManager.default.temporaryDirectory
            .appendingPathComponent("mangrove-client-tests-\(UInt64.random(in: 0...UInt64.max))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        let credential = directory.appendingPathComponent("mangrove-api-token")
        try "from-credential\n".write(to: credential, atomically: true, encoding: .utf8)

        let token = try APIToken.resolve(environment: ["CREDENTIALS_DIRECTORY": directory.path], tokenFile: nil)
        #expect(token.secret == "from-credential")

        try FileManager.default.removeItem(at: credential)
        let fallback = try APIToken.resolve(
            environment: ["CREDENTIALS_DIRECTORY": directory.path, "MANGROVE_API_TOKEN": "from-env"], tokenFile: nil
        )
        #expect(fallback.secret == "from-env")
    }
}
