import Foundation
import SchedulerCore
import MangroveAPI

extension APIToken {
    /// The file name under `$CREDENTIALS_DIRECTORY` (systemd `LoadCredential=mangrove-api-token:…`).
    public static let credentialName = "mangrove-api-token"
    /// The environment variable consulted last.
    public static let environmentVariable = "MANGROVE_API_TOKEN"

    /// Finds the token in the contract's order:
    /// 1. `$CREDENTIALS_DIRECTORY/mangrove-api-token` (systemd `LoadCredential=`),
    /// 2. `tokenFile` (the schedule's `api.token_file`),
    /// 3. the environment variable `MANGROVE_API_TOKEN`.
    ///
    /// Whitespace and newlines around the value are trimmed; an empty value, or one with
    /// spaces or control characters inside (not sendable in a header), counts as missing
    /// and the next place is tried. When no place has a token the thrown
    /// `APIError.missingToken` names every place looked at, what was found there
    /// ("not set", "not present", "exists but is unreadable: …", "empty"), and how to provide one.
    ///
    /// - Parameter readFile: reads a whole file; should throw `TokenFileError` (other errors
    ///   count as "unreadable"). Defaults to `APIToken.readTokenFile`.
    public static func resolve(
        environment: [String: String],
        tokenFile: String?,
        readFile: (String) throws -> String = APIToken.readTokenFile
    ) throws(APIError) -> APIToken {
        var looked: [String] = []

        func attempt(path: String, place: String) -> APIToken? {
            do {
                let value = try readFile(path).trimmingTokenWhitespace()
                if value.isEmpty {
                    looked.append("\(place): empty")
                    return nil
                }
                if !value.isValidTokenText {
                    looked.append("\(place): contains spaces or control characters, so it is not a token")
                    return nil
                }
                return APIToken(value, source: place)
            } catch TokenFileError.notFound {
                looked.append("\(place): not present")
            } catch TokenFileError.unreadable(let reason) {
                looked.append("\(place): exists but is unreadable: \(reason)")
            } catch {
                looked.append("\(place): exists but is unreadable: \(error)")
            }
            return nil
        }

        if let directory = environment["CREDENTIALS_DIRECTORY"], !directory.isEmpty {
            var dir = directory
            while dir.count > 1, dir.hasSuffix("/") { dir.removeLast() }
            let path = dir + "/" + credentialName
            if let token = attempt(path: path, place: "$CREDENTIALS_DIRECTORY/\(credentialName) (\(path))") {
                return token
            }
        } else {
            looked.append("$CREDENTIALS_DIRECTORY/\(credentialName): CREDENTIALS_DIRECTORY is not set")
        }

        if let tokenFile, !tokenFile.isEmpty {
            if let token = attempt(path: tokenFile, place: "api.token_file \(tokenFile)") { return token }
        } else {
            looked.append("api.token_file: not set in the schedule")
        }

        if let value = environment[environmentVariable] {
            let trimmed = value.trimmingTokenWhitespace()
            if trimmed.isEmpty {
                looked.append("environment variable \(environmentVariable): empty")
            } else if !trimmed.isValidTokenText {
                looked.append(
                    "environment variable \(environmentVariable): contains spaces or control characters, so it is not a token"
                )
            } else {
                return APIToken(trimmed, source: "environment variable \(environmentVariable)")
            }
        } else {
            looked.append("environment variable \(environmentVariable): not set")
        }

        throw APIError.missingToken(
            reason: "looked at " + looked.joined(separator: "; ")
                + ". Provide one with LoadCredential=\(credentialName):/path/to/token in the systemd unit, "
                + "\"api.token_file\" in the schedule, or the \(environmentVariable) environment variable."
        )
    }

    /// Reads a token file, mapping "no such file" to `TokenFileError.notFound` and every
    /// other failure to `TokenFileError.unreadable`.
    public static func readTokenFile(_ path: String) throws(TokenFileError) -> String {
        let url = URL(fileURLWithPath: path)
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch let error as CocoaError where error.code == .fileReadNoSuchFile || error.code == .fileNoSuchFile {
            throw .notFound
        } catch let error as CocoaError where error.code == .fileReadNoPermission {
            throw .unreadable(reason: "permission denied")
        } catch {
            throw .unreadable(reason: "\(error.localizedDescription)")
        }
        if let bad = UTF8Position.firstInvalid(in: data) {
            // The offset only: the byte itself could belong to the secret.
            throw .unreadable(reason: "not UTF-8 text (the first invalid byte is at byte offset \(bad.byteOffset))")
        }
        return String(decoding: data, as: UTF8.self)
    }
}

extension String {
    /// Printable ASCII only (`!`…`~`), as a bearer token in an HTTP header must be.
    var isValidTokenText: Bool {
        utf8.allSatisfy { $0 >= 0x21 && $0 <= 0x7E }
    }
}
