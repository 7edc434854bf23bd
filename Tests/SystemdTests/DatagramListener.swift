import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// A Unix datagram socket bound by a test, standing in for systemd's notify socket.
///
/// `address` is what goes into `NOTIFY_SOCKET`: a path in a fresh temporary
/// directory, or `@name` for the abstract namespace. Receives are bounded by a
/// timeout in milliseconds; `close()` removes the socket and its directory.
final class DatagramListener {
    let address: String
    private let descriptor: Int32
    private let directory: String?

    struct SetupError: Error, CustomStringConvertible {
        let description: String
    }

    init(abstract: Bool = false) throws {
        let fd = socket(AF_UNIX, Int32(SOCK_DGRAM.rawValue) | Int32(SOCK_CLOEXEC.rawValue), 0)
        guard fd >= 0 else { throw SetupError(description: "socket: \(String(cString: strerror(errno)))") }
        var name = sockaddr_un()
        name.sun_family = sa_family_t(AF_UNIX)
        let token = UUID().uuidString.prefix(8).lowercased()
        let pathBytes: [UInt8]
        if abstract {
            address = "@mangrove-notify-test-\(token)"
            directory = nil
            pathBytes = [0] + Array(address.utf8.dropFirst())
        } else {
            let dir = "/tmp/mgv-notify-\(token)"
            guard mkdir(dir, 0o700) == 0 else {
                Glibc.close(fd)
                throw SetupError(description: "mkdir \(dir): \(String(cString: strerror(errno)))")
            }
            directory = dir
            address = "\(dir)/notify.sock"
            pathBytes = Array(address.utf8) + [0]
        }
        let length = withUnsafeMutableBytes(of: &name.sun_path) { buffer -> Int in
            buffer.copyBytes(from: pathBytes)
            return pathBytes.count
        }
        // Abstract addresses are length-delimited (no trailing NUL), paths include it harmlessly.
        let size = socklen_t(MemoryLayout<sa_family_t>.size + length)
        let bound = withUnsafePointer(to: &name) {
            $0.withMemoryRebound(to: sockaddr.self, capacity: 1) { bind(fd, $0, size) }
        }
        guard bound == 0 else {
            let reason = String(cString: strerror(errno))
            Glibc.close(fd)
            if let directory { rmdir(directory) }
            throw SetupError(description: "bind \(address): \(reason)")
        }
        descriptor = fd
    }

    /// The next datagram as text, or `nil` if none arrives within `timeoutMilliseconds`.
    func receive(timeoutMilliseconds: Int32 = 2_000) -> String? {
        var poller = pollfd(fd: descriptor, events: Int16(POLLIN), revents: 0)
        guard poll(&poller, 1, timeoutMilliseconds) == 1 else { return nil }
        var buffer = [UInt8](repeating: 0, count: 4096)
        let count = recv(descriptor, &buffer, buffer.count, 0)
        guard count >= 0 else { return nil }
        return String(decoding: buffer[0..<count], as: UTF8.self)
    }

    func close() {
        _ = Glibc.close(descriptor)
        if let directory {
            unlink(address)
            rmdir(directory)
        }
    }
}
