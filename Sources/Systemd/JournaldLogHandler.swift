import CSystemd
import Logging
#if canImport(Glibc)
import Glibc
#endif

/// A swift-log handler that writes structured entries to the systemd journal.
///
/// Every metadata key becomes a journal field (`ledger_id` → `LEDGER_ID`, see
/// ``JournalFieldName``), the level becomes `PRIORITY=` (``SyslogPriority``) and
/// a known `mangrove_event` adds a stable `MESSAGE_ID=` (``MangroveMessageID``),
/// so operators can run `journalctl -u mangrove-scheduler LEDGER_ID=lgr_…`.
/// Entries are sent with `sd_journal_sendv(3)` (Swift cannot call the variadic
/// `sd_journal_send`). If journald refuses an entry, the line is written to
/// stderr with an `<N>` priority prefix instead. (When journald's socket does
/// not exist at all, libsystemd drops entries without an error; that is why
/// ``LogDestination`` chooses this handler only when `JOURNAL_STREAM` shows
/// journald holds our stderr.)
public struct JournaldLogHandler: LogHandler {
    public var logLevel: Logger.Level = .info
    public var metadata: Logger.Metadata = [:]
    public var metadataProvider: Logger.MetadataProvider?

    /// `SYSLOG_IDENTIFIER=`, e.g. `mangrove-scheduler`.
    public let identifier: String
    /// The logger label, sent as `SWIFT_LOGGER=`.
    public let label: String

    public init(
        label: String,
        identifier: String,
        metadataProvider: Logger.MetadataProvider? = LoggingSystem.metadataProvider
    ) {
        self.label = label
        self.identifier = identifier
        self.metadataProvider = metadataProvider
    }

    public subscript(metadataKey key: String) -> Logger.Metadata.Value? {
        get { metadata[key] }
        set { metadata[key] = newValue }
    }

    public func log(event: LogEvent) {
        let merged = LogMetadata.merged(
            handler: metadata, provider: metadataProvider, explicit: event.metadata, error: event.error
        )
        let entry = JournalEntry(
            level: event.level,
            message: event.message.description,
            metadata: merged,
            identifier: identifier,
            label: label,
            file: event.file,
            function: event.function,
            line: event.line
        )
        if Self.send(entry) < 0 {
            let line = StderrLogHandler.systemdPrefixedLine(
                level: event.level, message: event.message.description, metadata: merged
            )
            StderrLogHandler.writeToStandardError(line)
        }
    }

    /// Sends the entry with `sd_journal_sendv`; returns its result (negative errno on failure).
    static func send(_ entry: JournalEntry) -> Int32 {
        // One contiguous buffer of "NAME=value" strings; the iovecs point into it.
        var buffer: [UInt8] = []
        var ranges: [(offset: Int, count: Int)] = []
        for field in entry.fields {
            let start = buffer.count
            buffer.append(contentsOf: field.name.utf8)
            buffer.append(UInt8(ascii: "="))
            buffer.append(contentsOf: field.value.utf8)
            ranges.append((start, buffer.count - start))
        }
        return buffer.withUnsafeMutableBytes { bytes -> Int32 in
            guard let base = bytes.baseAddress else { return -EINVAL }
            let vectors = ranges.map { iovec(iov_base: base + $0.offset, iov_len: $0.count) }
            return vectors.withUnsafeBufferPointer { sd_journal_sendv($0.baseAddress, Int32($0.count)) }
        }
    }
}
