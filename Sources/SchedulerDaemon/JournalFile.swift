import Foundation
import SchedulerCore
#if canImport(Glibc)
import Glibc
#endif

/// The append-only JSON Lines journal on disk. Owning one means holding an exclusive
/// `flock` on the journal file itself, so no lock file can be deleted from under it and let
/// a second daemon in; the error names the holder's PID (from `/proc/locks`). Every append
/// is written in full and fsync'd before it returns: the daemon only acts on what is
/// durably recorded. Before each append the file at the path is compared with the open
/// one, so a journal deleted, renamed, truncated or restored under a running daemon stops
/// it instead of being written to in vain.
///
/// Not thread-safe by design: the scheduler actor is its only user.
public final class JournalFile: @unchecked Sendable {
    public let path: String
    private var fd: Int32 = -1
    /// The file's size as this daemon left it (nil until replay has read it).
    private var expectedSize: off_t?
    private var identity: (device: UInt64, inode: UInt64)?

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
        fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: Self.errnoText()) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let pid = Self.flockHolder(fd: fd)
            Glibc.close(fd)
            fd = -1
            throw .locked(path: path, holderPID: pid)
        }
        var st = stat()
        if fstat(fd, &st) == 0 { identity = (UInt64(st.st_dev), UInt64(st.st_ino)) }
    }

    deinit { close() }

    /// Releases the lock and closes the file (idempotent).
    public func close() {
        if fd >= 0 {
            flock(fd, LOCK_UN)
            Glibc.close(fd)
            fd = -1
        }
    }

    /// Whether a process holds a journal's lock, and its PID when `/proc/locks` names it.
    public static func lockState(journalPath: String) -> (locked: Bool, pid: Int32?) {
        let fd = open(journalPath, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return (false, nil) }
        defer { Glibc.close(fd) }
        if flock(fd, LOCK_SH | LOCK_NB) == 0 {
            flock(fd, LOCK_UN)
            return (false, nil)
        }
        return (true, flockHolder(fd: fd))
    }

    /// The PID of the process that holds a journal's lock, if one does and it can be named.
    public static func lockHolder(journalPath: String) -> Int32? {
        lockState(journalPath: journalPath).pid
    }

    /// The PID `/proc/locks` names for the `FLOCK` on the file open as `fd`.
    private static func flockHolder(fd: Int32) -> Int32? {
        var st = stat()
        guard fstat(fd, &st) == 0, let text = readProcFile("/proc/locks") else { return nil }
        let device = UInt64(st.st_dev)
        let major = ((device >> 8) & 0xfff) | ((device >> 32) & ~UInt64(0xfff))
        let minor = (device & 0xff) | ((device >> 12) & ~UInt64(0xff))
        for line in text.split(separator: "\n") {
            // "1: FLOCK  ADVISORY  WRITE 1234 08:01:5678 0 EOF": the file is MAJOR:MINOR:INODE, hex:hex:decimal.
            let fields = line.split(separator: " ", omittingEmptySubsequences: true)
            guard fields.count >= 6, fields[1] == "FLOCK" else { continue }
            let file = fields[5].split(separator: ":")
            guard file.count == 3, UInt64(file[0], radix: 16) == major, UInt64(file[1], radix: 16) == minor,
                  UInt64(file[2]) == UInt64(st.st_ino), let pid = Int32(fields[4]), pid > 0
            else { continue }
            return pid
        }
        return nil
    }

    /// A /proc file read to its end (its size reads as 0, so it is read in chunks).
    private static func readProcFile(_ path: String) -> String? {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { return nil }
        defer { Glibc.close(fd) }
        var bytes: [UInt8] = []
        var chunk = [UInt8](repeating: 0, count: 65_536)
        while true {
            let n = chunk.withUnsafeMutableBytes { Glibc.read(fd, $0.baseAddress, $0.count) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return n == 0 ? String(decoding: bytes, as: UTF8.self) : nil }
            bytes.append(contentsOf: chunk[0..<n])
        }
    }

    static func errnoText() -> String { String(cString: strerror(errno)) }

    // MARK: - Replay

    /// Reads every line into `state`. A torn last line (no trailing newline: a crash
    /// mid-write) is reported and cut off so later appends start on a fresh line; bad
    /// lines elsewhere are reported with their numbers and skipped.
    public func replay(into state: inout JournalState) throws(JournalError) -> [JournalProblem] {
        let scan = try Self.scan(fd: fd, path: path, into: &state)
        defer { expectedSize = lseek(fd, 0, SEEK_END) }
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
    /// a newline (`valid`: it decoded, so only the newline is missing). Lines are found with
    /// `memchr` and decoded in place from the chunk (the fast decoder, with repeated
    /// strings interned); only a line split across two chunks is copied.
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
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        let interner = JournalStringInterner()
        func handle(_ bytes: UnsafeBufferPointer<UInt8>, torn: Bool) {
            lineNumber += 1
            var blank = true
            for byte in bytes where byte != 0x20 && byte != 0x09 && byte != 0x0D {
                blank = false
                break
            }
            if blank { return }
            if let fast = JournalCodec.decodeFast(bytes, interner: interner) {
                state.apply(fast)
                return
            }
            do {
                state.apply(try JournalCodec.decode(String(decoding: bytes, as: UTF8.self)))
            } catch {
                problems.append(JournalProblem(line: lineNumber, message: error.description, isTornTail: torn))
            }
        }
        let base = chunk.baseAddress!.assumingMemoryBound(to: UInt8.self)
        while offset < size {
            let n = pread(fd, chunk.baseAddress, chunkSize, offset)
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotRead(path: path, reason: errnoText())
            }
            if n == 0 { break }
            var start = 0
            while start < n, let hit = memchr(base + start, 0x0A, n - start) {
                let i = base.distance(to: hit.assumingMemoryBound(to: UInt8.self))
                if carry.isEmpty {
                    handle(UnsafeBufferPointer(start: base + start, count: i - start), torn: false)
                } else {
                    carry.append(contentsOf: UnsafeBufferPointer(start: base + start, count: i - start))
                    carry.withUnsafeBufferPointer { handle($0, torn: false) }
                    carry.removeAll(keepingCapacity: true)
                }
                start = i + 1
                lastNewlineEnd = offset + off_t(i + 1)
            }
            carry.append(contentsOf: UnsafeBufferPointer(start: base + start, count: n - start))
            offset += off_t(n)
        }
        guard !carry.isEmpty else { return (problems, nil) }
        let before = problems.count
        carry.withUnsafeBufferPointer { handle($0, torn: true) }
        return (problems, (lastNewlineEnd, problems.count == before))
    }

    // MARK: - Append

    /// Appends one line and fsyncs it.
    public func append(_ entry: JournalEntry) throws(JournalError) {
        try writeAll(Array((JournalCodec.encode(entry) + "\n").utf8))
    }

    /// Throws `.replaced` when the file at `path` is not the one this daemon opened and
    /// left: removed, renamed, another file moved in, or truncated or rewritten in place.
    public func checkUnchanged() throws(JournalError) {
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: "the journal is closed") }
        var atPath = stat()
        if stat(path, &atPath) != 0 {
            throw .replaced(path: path, reason: errno == ENOENT ? "no file at that path any more" : "cannot stat it: \(Self.errnoText())")
        }
        if let identity, identity.device != UInt64(atPath.st_dev) || identity.inode != UInt64(atPath.st_ino) {
            throw .replaced(path: path, reason: "another file is at that path now")
        }
        var open = stat()
        if fstat(fd, &open) == 0, open.st_nlink == 0 {
            throw .replaced(path: path, reason: "the open file was deleted")
        }
        if let expectedSize, open.st_size != expectedSize {
            throw .replaced(path: path, reason: "its size is \(open.st_size) bytes, but this daemon left it at \(expectedSize)")
        }
    }

    private func writeAll(_ bytes: [UInt8]) throws(JournalError) {
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: "the journal is closed") }
        try checkUnchanged()
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
        if let size = expectedSize { expectedSize = size + off_t(bytes.count) }
    }
}

