import Foundation
import SchedulerCore
#if canImport(Glibc)
import Glibc
#endif

/// The append-only JSON Lines journal on disk. Owning one means holding an exclusive
/// `flock` on `<journal>.lock` (which also records the owner's PID), so two daemons can
/// never write the same journal. Every append is written in full and fsync'd before it
/// returns: the daemon only acts on what is durably recorded.
///
/// Not thread-safe by design: the scheduler actor is its only user.
public final class JournalFile: @unchecked Sendable {
    public let path: String
    public var lockPath: String { path + ".lock" }
    private var fd: Int32 = -1
    private var lockFD: Int32 = -1

    /// Opens (creating if needed) and locks the journal. Throws `JournalError.locked`
    /// naming the holder's PID when another process owns it.
    public init(path: String) throws(JournalError) {
        self.path = path
        let directory = (path as NSString).deletingLastPathComponent
        if !directory.isEmpty, !FileManager.default.fileExists(atPath: directory) {
            do {
                try FileManager.default.createDirectory(atPath: directory, withIntermediateDirectories: true)
            } catch {
                throw .cannotOpen(path: path, reason: "cannot create directory \(directory): \(error.localizedDescription)")
            }
        }
        lockFD = open(lockPath, O_RDWR | O_CREAT | O_CLOEXEC, 0o600)
        guard lockFD >= 0 else { throw .cannotOpen(path: lockPath, reason: Self.errnoText()) }
        if flock(lockFD, LOCK_EX | LOCK_NB) != 0 {
            let pid = Self.readPID(lockFD)
            Glibc.close(lockFD)
            lockFD = -1
            throw .locked(path: path, holderPID: pid)
        }
        let pidText = "\(getpid())\n"
        _ = ftruncate(lockFD, 0)
        _ = pidText.withCString { pwrite(lockFD, $0, strlen($0), 0) }
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else {
            let reason = Self.errnoText()
            Glibc.close(lockFD)
            lockFD = -1
            throw .cannotOpen(path: path, reason: reason)
        }
    }

    deinit { close() }

    /// Releases the lock and closes the file (idempotent).
    public func close() {
        if fd >= 0 { Glibc.close(fd); fd = -1 }
        if lockFD >= 0 {
            _ = ftruncate(lockFD, 0)
            flock(lockFD, LOCK_UN)
            Glibc.close(lockFD)
            lockFD = -1
        }
    }

    /// The PID recorded in a journal's lock file, if a live process holds the lock.
    public static func lockHolder(journalPath: String) -> Int32? {
        let fd = open(journalPath + ".lock", O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        if flock(fd, LOCK_EX | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return nil
        }
        return readPID(fd)
    }

    private static func readPID(_ fd: Int32) -> Int32? {
        var buffer = [UInt8](repeating: 0, count: 32)
        let n = pread(fd, &buffer, buffer.count, 0)
        guard n > 0 else { return nil }
        return Int32(String(decoding: buffer[0..<n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines))
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    // MARK: - Replay

    /// Reads every line into `state`. A torn last line (no trailing newline: a crash
    /// mid-write) is reported and cut off so later appends start on a fresh line; bad
    /// lines elsewhere are reported with their numbers and skipped.
    public func replay(into state: inout JournalState) throws(JournalError) -> [JournalProblem] {
        let scan = try Self.scan(fd: fd, path: path, into: &state)
        if let tail = scan.tail {
            if tail.valid {
                // A complete JSON line that only lacks its newline: keep it, add the newline.
                try writeAll(Array("\n".utf8))
            } else if ftruncate(fd, tail.start) != 0 {
                throw .cannotWrite(path: path, reason: "cannot cut off the torn last line: \(Self.errnoText())")
            } else {
                _ = fsync(fd)
            }
        }
        return scan.problems
    }

    /// Reads a journal without locking or repairing it (for `plan` and `journal`, which
    /// run beside the daemon). A missing file is an empty journal.
    public static func read(path: String) throws(JournalError) -> (state: JournalState, problems: [JournalProblem]) {
        var state = JournalState()
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return (state, []) }
            throw .cannotRead(path: path, reason: errnoText())
        }
        defer { Glibc.close(fd) }
        let scan = try scan(fd: fd, path: path, into: &state)
        return (state, scan.problems)
    }

    /// Streams the file in 1 MiB chunks into `state`; `tail` describes a last line without
    /// a newline (`valid`: it decoded, so only the newline is missing).
    private static func scan(fd: Int32, path: String, into state: inout JournalState) throws(JournalError)
        -> (problems: [JournalProblem], tail: (start: off_t, valid: Bool)?)
    {
        let size = lseek(fd, 0, SEEK_END)
        guard size >= 0 else { throw .cannotRead(path: path, reason: errnoText()) }
        var problems: [JournalProblem] = []
        var lineNumber = 0
        var carry: [UInt8] = []
        var offset: off_t = 0
        var lastNewlineEnd: off_t = 0
        let chunkSize = 1 << 20
        var chunk = [UInt8](repeating: 0, count: chunkSize)
        func handle(_ bytes: ArraySlice<UInt8>, torn: Bool) {
            lineNumber += 1
            if bytes.allSatisfy({ $0 == 0x20 || $0 == 0x09 || $0 == 0x0D }) { return }
            if let fast = bytes.withUnsafeBufferPointer(JournalCodec.decodeFast) {
                state.apply(fast)
                return
            }
            do {
                state.apply(try JournalCodec.decode(String(decoding: bytes, as: UTF8.self)))
            } catch {
                problems.append(JournalProblem(line: lineNumber, message: error.description, isTornTail: torn))
            }
        }
        while offset < size {
            let n = chunk.withUnsafeMutableBytes { pread(fd, $0.baseAddress, chunkSize, offset) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(path: path, reason: errnoText())
            }
            if n == 0 { break }
            var start = 0
            for i in 0..<n where chunk[i] == 0x0A {
                if carry.isEmpty {
                    handle(chunk[start..<i], torn: false)
                } else {
                    carry.append(contentsOf: chunk[start..<i])
                    handle(carry[...], torn: false)
                    carry.removeAll(keepingCapacity: true)
                }
                start = i + 1
                lastNewlineEnd = offset + off_t(i + 1)
            }
            carry.append(contentsOf: chunk[start..<n])
            offset += off_t(n)
        }
        guard !carry.isEmpty else { return (problems, nil) }
        let before = problems.count
        handle(carry[...], torn: true)
        return (problems, (lastNewlineEnd, problems.count == before))
    }

    // MARK: - Append

    /// Appends one line and fsyncs it.
    public func append(_ entry: JournalEntry) throws(JournalError) {
        try writeAll(Array((JournalCodec.encode(entry) + "\n").utf8))
    }

    private func writeAll(_ bytes: [UInt8]) throws(JournalError) {
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: "the journal is closed") }
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path: path, reason: Self.errnoText())
            }
            written += n
        }
        if fsync(fd) != 0 {
            throw .cannotWrite(path: path, reason: "fsync failed: \(Self.errnoText())")
        }
    }
}
