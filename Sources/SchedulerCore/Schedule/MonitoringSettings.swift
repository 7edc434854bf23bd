import Foundation

/// Where the daemon exports Prometheus metrics. Both are off when absent.
public struct MetricsSettings: Sendable, Equatable {
    /// `metrics.listen`: a loopback address (`127.0.0.1:9464`, `[::1]:9464`, `localhost:9464`)
    /// serving Prometheus text at `/metrics`. Port 0 picks a free port (tests).
    public var listen: ListenAddress?
    /// `metrics.textfile`: a `*.prom` file rewritten atomically (temporary file and rename)
    /// for node_exporter's textfile collector. Relative to the schedule file's folder.
    public var textfile: String?

    public init(listen: ListenAddress? = nil, textfile: String? = nil) {
        self.listen = listen
        self.textfile = textfile
    }
}

/// A `HOST:PORT` on the loopback interface. Anything else is refused: the metrics name
/// ledgers, and the daemon has no business listening on a network.
public struct ListenAddress: Sendable, Equatable, CustomStringConvertible {
    public var host: String
    public var port: Int

    public init(host: String, port: Int) {
        self.host = host
        self.port = port
    }

    /// Parses `127.0.0.1:9464`, `[::1]:9464` or `localhost:9464`; the problem otherwise.
    public static func parse(_ text: String) -> Result<ListenAddress, ListenAddressProblem> {
        let host: Substring
        let portText: Substring
        if text.hasPrefix("[") {
            guard let close = text.firstIndex(of: "]"), text[text.index(after: close)...].hasPrefix(":") else {
                return .failure(.notHostPort)
            }
            host = text[text.index(after: text.startIndex)..<close]
            portText = text[text.index(close, offsetBy: 2)...]
        } else {
            guard let colon = text.lastIndex(of: ":"), !text[..<colon].contains(":") else { return .failure(.notHostPort) }
            host = text[..<colon]
            portText = text[text.index(after: colon)...]
        }
        guard !portText.isEmpty, portText.allSatisfy(\.isASCII), portText.allSatisfy(\.isNumber), let port = Int(portText), port <= 65535 else {
            return .failure(.badPort(String(portText)))
        }
        guard isLoopback(String(host)) else { return .failure(.notLoopback(String(host))) }
        return .success(ListenAddress(host: String(host), port: port))
    }

    /// `127.0.0.0/8`, `::1` and `localhost`.
    public static func isLoopback(_ host: String) -> Bool {
        if host == "localhost" || host == "::1" { return true }
        let parts = host.split(separator: ".", omittingEmptySubsequences: false)
        guard parts.count == 4, parts[0] == "127" else { return false }
        return parts.allSatisfy { p in !p.isEmpty && p.count <= 3 && p.allSatisfy(\.isNumber) && (Int(p) ?? 256) <= 255 }
    }

    /// `127.0.0.1:9464`, `[::1]:9464`.
    public var description: String { host.contains(":") ? "[\(host)]:\(port)" : "\(host):\(port)" }
}

public enum ListenAddressProblem: Error, Sendable, Equatable, CustomStringConvertible {
    case notHostPort
    case badPort(String)
    case notLoopback(String)

    public var description: String {
        switch self {
        case .notHostPort: "expected HOST:PORT on the loopback interface, e.g. 127.0.0.1:9464"
        case .badPort(let p): "port \"\(p)\" is not a number from 0 to 65535"
        case .notLoopback(let h): "\(h) is not a loopback address; expected 127.0.0.1, [::1] or localhost (the metrics name ledgers; put a reverse proxy in front to expose them)"
        }
    }
}

/// When things count as late.
public struct AlertSettings: Sendable, Equatable {
    /// A period still not completed this long after it became due is overdue: logged once
    /// at warning, counted in `STATUS=`, exported as `mangrove_scheduler_periods_overdue`.
    public var overdueAfter: Duration

    public init(overdueAfter: Duration = .seconds(86_400)) {
        self.overdueAfter = overdueAfter
    }
}
