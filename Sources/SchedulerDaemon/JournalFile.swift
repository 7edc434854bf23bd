import Foundation
import SchedulerCore
import Synchronization
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
/// `Sendable` through a mutex around the open file's state; the scheduler actor is its
/// only user, so the lock is never contended.
public final class JournalFile: Sendable {
    public let path: String
    private let handle: Mutex<Handle>

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
        let fd = open(path, O_RDWR | O_CREAT | O_APPEND | O_CLOEXEC, 0o600)
        guard fd >= 0 else { throw .cannotOpen(path: path, reason: Self.errnoText()) }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            let pid = Self.flockHolder(fd: fd)
            Glibc.close(fd)
            throw .locked(path: path, holderPID: pid)
        }
        var st = stat()
        let identity = fstat(fd, &st) == 0 ? (UInt64(st.st_dev), UInt64(st.st_ino)) : nil
        handle = Mutex(Handle(path: path, fd: fd, identity: identity))
    }

    deinit { close() }

    /// Writes a checkpoint when enough lines are not covered by one, then releases the lock
    /// and closes the file (idempotent).
    public func close() {
        handle.withLock { $0.close() }
    }

    /// Reads every line into `state`. A torn last line (no trailing newline: a crash
    /// mid-write) is reported and cut off so later appends start on a fresh line; bad
    /// lines elsewhere are reported with their numbers and skipped.
    ///
    /// When a valid checkpoint covers the start of the file (`JournalCheckpoint`: the bytes
    /// it covers read again and digested the same), only the lines after it are decoded;
    /// otherwise the whole file is. When `checkpointEvery` lines or more were decoded, a
    /// new checkpoint of the repaired file is written.
    public func replay(into state: inout JournalState) throws(JournalError) -> [JournalProblem] {
        try handle.withLock { (h: inout Handle) throws(JournalError) in try h.replay(into: &state) }
    }

    /// Appends one line and fsyncs it.
    public func append(_ entry: JournalEntry) throws(JournalError) {
        try handle.withLock { (h: inout Handle) throws(JournalError) in try h.append(entry) }
    }

    /// Throws `.replaced` when the file at `path` is not the one this daemon opened and
    /// left: removed, renamed, another file moved in, or truncated or rewritten in place.
    public func checkUnchanged() throws(JournalError) {
        try handle.withLock { (h: inout Handle) throws(JournalError) in try h.checkUnchanged() }
    }

    /// Lines decoded beyond the checkpoint (at replay, or appended since) after which a new
    /// checkpoint is written: at replay, at `close()` and, ten times as many, while appending.
    public var checkpointEvery: Int {
        get { handle.withLock { $0.checkpointEvery } }
        set { handle.withLock { $0.checkpointEvery = newValue } }
    }

    /// Where the last `replay(into:)` began decoding: 0 for a full replay, else the end of
    /// the checkpoint it started from.
    public var replayedFrom: UInt64 { handle.withLock { $0.replayedFrom } }

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

    /// The bytes before the ledger id in a line as the daemon writes it:
    /// `{"time":"2025-03-31T23:59:59.000Z","ledger_id":`.
    private static let idOffset = 47
    private static let beforeID = Array(#"","ledger_id":"#.utf8)

    /// Whether a journal line names the ledger whose quoted id is `needle`: read at its
    /// place in a line as the daemon writes it, else searched for.
    static func names(_ bytes: UnsafeBufferPointer<UInt8>, _ needle: [UInt8]) -> Bool {
        let at = idOffset, marker = at - beforeID.count
        if bytes.count > at + needle.count, bytes[0] == 0x7B, bytes[marker] == 0x22,
           beforeID.withUnsafeBytes({ memcmp(bytes.baseAddress! + marker, $0.baseAddress!, $0.count) }) == 0 {
            return needle.withUnsafeBytes { memcmp(bytes.baseAddress! + at, $0.baseAddress!, $0.count) } == 0
                && (bytes[at + needle.count] == 0x2C || bytes[at + needle.count] == 0x7D)
        }
        return needle.withUnsafeBufferPointer { ByteSearch.contains(bytes, $0) }
    }

    // MARK: - Replay

    /// Reads a journal without locking or repairing it (for `plan` and `journal`, which
    /// run beside the daemon). A missing file is an empty journal. A valid checkpoint is
    /// used as the replay would; none is ever written.
    ///
    /// With `keepsEveryRecord` (what `journal` shows) every period keeps its full record
    /// and the file is read from its first byte (a checkpoint holds completed periods
    /// folded). `onlyLedger` skips, undecoded, every line that does not name that ledger.
    public static func read(
        path: String, keepsEveryRecord: Bool = false, onlyLedger: String? = nil
    ) throws(JournalError) -> (state: JournalState, problems: [JournalProblem]) {
        var state = JournalState(keepsEveryRecord: keepsEveryRecord)
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        if fd < 0 {
            if errno == ENOENT { return (state, []) }
            throw .cannotRead(path: path, reason: errnoText())
        }
        defer { Glibc.close(fd) }
        let scan = try scan(fd: fd, path: path, into: &state, onlyLedger: onlyLedger, digesting: false)
        return (state, scan.problems)
    }

    // MARK: - Checkpoint

    /// The checkpoint beside this journal when it is valid for the file open as `fd`: its
    /// header, its payload's digest and the digest of the journal bytes it covers all check
    /// out. Returns it with the digest of the covered bytes (to go on with); nil otherwise,
    /// and then the journal is replayed from its first byte.
    fileprivate static func validCheckpoint(fd: Int32, path: String, size: off_t) -> (JournalCheckpoint, JournalDigest)? {
        let checkpointPath = JournalCheckpoint.path(forJournal: path)
        let cfd = open(checkpointPath, O_RDONLY | O_CLOEXEC)
        guard cfd >= 0 else { return nil }
        defer { Glibc.close(cfd) }
        var st = stat()
        guard fstat(cfd, &st) == 0, st.st_size > 0, st.st_size < 1 << 34 else { return nil }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var got = 0
        while got < bytes.count {
            let n = bytes.withUnsafeMutableBytes { pread(cfd, $0.baseAddress! + got, $0.count - got, off_t(got)) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return nil }
            got += n
        }
        let checkpoint: JournalCheckpoint? = bytes.withUnsafeBytes { raw in
            // The cheap checks first: a checkpoint newer than the file is ignored unread.
            guard let header = JournalCheckpoint.header(raw), header.journalOffset <= UInt64(size) else { return nil }
            return JournalCheckpoint.decode(raw)
        }
        bytes = []
        guard let checkpoint, let digest = digest(fd: fd, upTo: off_t(checkpoint.journalOffset)),
              digest.value == checkpoint.journalDigest
        else { return nil }
        return (checkpoint, digest)
    }

    /// The digest of the file's first `end` bytes (nil when they cannot all be read).
    fileprivate static func digest(fd: Int32, upTo end: off_t) -> JournalDigest? {
        var digest = JournalDigest()
        let chunkSize = 1 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        var offset: off_t = 0
        while offset < end {
            let n = pread(fd, chunk.baseAddress, min(chunkSize, Int(end - offset)), offset)
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { return nil }
            digest.update(UnsafeRawBufferPointer(rebasing: chunk[0..<n]))
            offset += off_t(n)
        }
        return digest
    }

    /// Streams the file in 1 MiB chunks into `state`, from the end of a valid checkpoint
    /// when there is one (and `state` is empty), else from the start. Lines are found with
    /// `memchr` and decoded in place from the chunk (the fast decoder, with repeated
    /// strings interned); only a line split across two chunks is copied.
    ///
    /// Returns the problems (the checkpoint's first), the end of the last complete line
    /// with the digest of the bytes before it and the number of lines in them, how many
    /// lines were decoded here, and `tail`: a last line without a newline (`valid`: it
    /// decoded, so only the newline is missing).
    fileprivate static func scan(
        fd: Int32, path: String, into state: inout JournalState, onlyLedger: String? = nil, digesting: Bool = true
    ) throws(JournalError)
        -> (problems: [JournalProblem], from: UInt64, end: off_t, digest: JournalDigest, lines: Int, decodedLines: Int,
            tail: (start: off_t, valid: Bool, bytes: [UInt8])?)
    {
        let size = lseek(fd, 0, SEEK_END)
        guard size >= 0 else { throw .cannotRead(path: path, reason: errnoText()) }
        var problems: [JournalProblem] = []
        var lineNumber = 0
        var offset: off_t = 0
        var digest = JournalDigest()
        if !state.keepsEveryRecord, onlyLedger == nil, state.lineCount == 0, state.ledgers.isEmpty, let (checkpoint, covered) = validCheckpoint(fd: fd, path: path, size: size) {
            state = checkpoint.state
            problems = checkpoint.problems
            lineNumber = checkpoint.lines
            offset = off_t(checkpoint.journalOffset)
            digest = covered
        }
        let firstLine = lineNumber
        let from = UInt64(offset)
        var carry: [UInt8] = []
        var lastNewlineEnd = offset
        let chunkSize = 1 << 20
        let chunk = UnsafeMutableRawBufferPointer.allocate(byteCount: chunkSize, alignment: 16)
        defer { chunk.deallocate() }
        let interner = JournalStringInterner()
        let needle = onlyLedger.map { Array(JournalCodec.quote($0).utf8) } ?? []
        func handle(_ bytes: UnsafeBufferPointer<UInt8>, torn: Bool) {
            lineNumber += 1
            if !needle.isEmpty, !Self.names(bytes, needle) { return }
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
                    // The bytes carried from earlier chunks come first in the digest.
                    if digesting { digest.update(carry) }
                    carry.append(contentsOf: UnsafeBufferPointer(start: base + start, count: i - start))
                    carry.withUnsafeBufferPointer { handle($0, torn: false) }
                    carry.removeAll(keepingCapacity: true)
                }
                start = i + 1
                lastNewlineEnd = offset + off_t(i + 1)
            }
            if start > 0, digesting { digest.update(UnsafeRawBufferPointer(start: chunk.baseAddress, count: start)) }
            carry.append(contentsOf: UnsafeBufferPointer(start: base + start, count: n - start))
            offset += off_t(n)
        }
        let complete = lineNumber
        guard !carry.isEmpty else {
            return (problems, from, lastNewlineEnd, digest, complete, complete - firstLine, nil)
        }
        let before = problems.count
        carry.withUnsafeBufferPointer { handle($0, torn: true) }
        return (problems, from, lastNewlineEnd, digest, complete, lineNumber - firstLine, (lastNewlineEnd, problems.count == before, carry))
    }

}

/// The open journal's state, behind `JournalFile`'s mutex.
private struct Handle: ~Copyable {
    let path: String
    var fd: Int32
    /// The file's size as this daemon left it (nil until replay has read it).
    var expectedSize: off_t?
    let identity: (device: UInt64, inode: UInt64)?
    var checkpointEvery = 10_000
    var replayedFrom: UInt64 = 0
    /// Lines of the journal the checkpoint on disk does not cover (as far as this daemon knows).
    var uncoveredLines = 0
    /// An append failed: the caller's state may hold lines the file does not.
    var appendFailed = false

    init(path: String, fd: Int32, identity: (device: UInt64, inode: UInt64)?) {
        self.path = path
        self.fd = fd
        self.identity = identity
    }

    mutating func close() {
        if fd >= 0, uncoveredLines >= checkpointEvery { refreshCheckpoint() }
        if fd >= 0 {
            flock(fd, LOCK_UN)
            Glibc.close(fd)
            fd = -1
        }
    }

    mutating func replay(into state: inout JournalState) throws(JournalError) -> [JournalProblem] {
        let scan = try JournalFile.scan(fd: fd, path: path, into: &state)
        replayedFrom = scan.from
        defer { expectedSize = lseek(fd, 0, SEEK_END) }
        var covered = (offset: scan.end, digest: scan.digest, lines: scan.lines)
        if let tail = scan.tail {
            if tail.valid {
                // A complete JSON line that only lacks its newline: keep it, add the newline.
                try writeAll(Array("\n".utf8))
                covered.digest.update(tail.bytes + [0x0A])
                covered.offset += off_t(tail.bytes.count + 1)
                covered.lines += 1
            } else if ftruncate(fd, tail.start) != 0 {
                throw .cannotWrite(path: path, reason: "cannot cut off the torn last line: \(JournalFile.errnoText())")
            } else {
                _ = fsync(fd)
            }
        }
        uncoveredLines = scan.decodedLines
        if uncoveredLines >= checkpointEvery {
            writeCheckpoint(JournalCheckpoint(
                journalOffset: UInt64(covered.offset), journalDigest: covered.digest.value, lines: covered.lines,
                state: state, problems: scan.problems.filter { !$0.isTornTail }))
        }
        return scan.problems
    }

    /// Writes `checkpoint` beside the journal atomically (a temporary file, fsync'd, renamed
    /// over the old one, the directory fsync'd). A checkpoint that cannot be written is not
    /// an error: the next start replays more of the journal, with the same result.
    mutating func writeCheckpoint(_ checkpoint: JournalCheckpoint) {
        let target = JournalCheckpoint.path(forJournal: path)
        let temporary = target + ".tmp"
        let bytes = checkpoint.encoded()
        let out = open(temporary, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o600)
        guard out >= 0 else { return }
        var written = 0
        var ok = true
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(out, $0.baseAddress! + written, bytes.count - written) }
            if n < 0, errno == EINTR { continue }
            guard n > 0 else { ok = false; break }
            written += n
        }
        ok = ok && fsync(out) == 0
        Glibc.close(out)
        guard ok, rename(temporary, target) == 0 else {
            unlink(temporary)
            return
        }
        let directory = (path as NSString).deletingLastPathComponent
        let dfd = open(directory.isEmpty ? "." : directory, O_RDONLY | O_DIRECTORY | O_CLOEXEC)
        if dfd >= 0 {
            _ = fsync(dfd)
            Glibc.close(dfd)
        }
        uncoveredLines = 0
    }

    /// Folds the file as it is now (checkpoint and lines after it) and writes a checkpoint
    /// of it, when this daemon wrote every line it meant to and the file is still its own.
    /// The state is read back from the file, not taken from the scheduler, so the
    /// checkpoint is exactly what a replay of these bytes gives.
    mutating func refreshCheckpoint() {
        guard fd >= 0, !appendFailed, (try? checkUnchanged()) != nil else { return }
        var state = JournalState()
        guard let scan = try? JournalFile.scan(fd: fd, path: path, into: &state), scan.tail == nil else { return }
        writeCheckpoint(JournalCheckpoint(
            journalOffset: UInt64(scan.end), journalDigest: scan.digest.value, lines: scan.lines, state: state,
            problems: scan.problems))
    }

    mutating func append(_ entry: JournalEntry) throws(JournalError) {
        do {
            try writeAll(Array((JournalCodec.encode(entry) + "\n").utf8))
        } catch {
            appendFailed = true
            throw error
        }
        uncoveredLines += 1
        if uncoveredLines / 10 >= checkpointEvery { refreshCheckpoint() }
    }

    func checkUnchanged() throws(JournalError) {
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: "the journal is closed") }
        var atPath = stat()
        if stat(path, &atPath) != 0 {
            throw .replaced(path: path, reason: errno == ENOENT ? "no file at that path any more" : "cannot stat it: \(JournalFile.errnoText())")
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

    mutating func writeAll(_ bytes: [UInt8]) throws(JournalError) {
        guard fd >= 0 else { throw .cannotWrite(path: path, reason: "the journal is closed") }
        try checkUnchanged()
        var written = 0
        while written < bytes.count {
            let n = bytes.withUnsafeBytes { write(fd, $0.baseAddress! + written, bytes.count - written) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .cannotWrite(path: path, reason: JournalFile.errnoText())
            }
            written += n
        }
        if fsync(fd) != 0 {
            throw .cannotWrite(path: path, reason: "fsync failed: \(JournalFile.errnoText())")
        }
        if let size = expectedSize { expectedSize = size + off_t(bytes.count) }
    }
}
