import Foundation
#if canImport(Glibc)
import Glibc
#endif

/// The small files an operator's command appends to and the daemon reads
/// (`<journal>.requests`, `<journal>.controls`): one line a request, fsync'd.
enum OperatorFile {
    /// Appends `line` to `path` (created 0644: readable by the daemon's dynamic user
    /// when an operator runs the command as root; it holds no secret) under an exclusive
    /// lock, so two operators at once never interleave their lines.
    static func append(_ line: String, to path: String) throws(JournalError) {
        let fd = open(path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0o644)
        // Checked before anything else touches errno, so a failed open reports its own reason.
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: JournalFile.errnoText()) }
        defer { close(fd) }
        // An existing file keeps its mode on open; a root umask may have narrowed a new one.
        fchmod(fd, 0o644)
        guard flock(fd, LOCK_EX) == 0 else { throw .cannotWrite(path: path, reason: JournalFile.errnoText()) }
        defer { flock(fd, LOCK_UN) }
        guard writeAll(Array(line.utf8), to: fd), fsync(fd) == 0 else {
            throw .cannotWrite(path: path, reason: JournalFile.errnoText())
        }
    }

    /// Writes every byte, carrying on after a short write and retrying after EINTR.
    /// False on any other error, with `errno` left as `write` set it.
    static func writeAll(
        _ bytes: [UInt8], to fd: Int32,
        using writeSome: (Int32, UnsafeRawPointer, Int) -> Int = { write($0, $1, $2) }
    ) -> Bool {
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { writeSome(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                return false
            }
            written += n
        }
        return true
    }
}
