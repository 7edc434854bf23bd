import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// Writes the metrics for node_exporter's textfile collector (`metrics.textfile`):
/// the whole exposition to a temporary file in the same folder, fsync'd, then renamed
/// over the target, so the collector never reads half a file.
public enum MetricsTextfile {
    public struct WriteError: Error, Sendable, CustomStringConvertible {
        public var path: String
        public var reason: String
        public var description: String { "cannot write the metrics textfile \(path): \(reason)" }
    }

    public static func write(_ text: String, to path: String) throws(WriteError) {
        // node_exporter ignores files not ending in .prom, so the temporary one is never read.
        let temporary = path + ".\(getpid()).tmp"
        let fd = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw WriteError(path: path, reason: errnoText()) }
        let bytes = Array(text.utf8)
        var written = 0
        while written < bytes.count {
            let n = bytes[written...].withUnsafeBytes { Glibc.write(fd, $0.baseAddress, $0.count) }
            if n <= 0 {
                let reason = errnoText()
                close(fd)
                unlink(temporary)
                throw WriteError(path: path, reason: reason)
            }
            written += n
        }
        fchmod(fd, 0o644)
        let synced = fsync(fd) == 0
        close(fd)
        guard synced, rename(temporary, path) == 0 else {
            let reason = errnoText()
            unlink(temporary)
            throw WriteError(path: path, reason: reason)
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }
}
