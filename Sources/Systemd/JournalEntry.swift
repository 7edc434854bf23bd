import Logging

/// The journald fields of one log statement, as pure data.
///
/// Built separately from sending so the exact fields (names, priority,
/// `MESSAGE_ID`) are tested without a journal. Field order: `MESSAGE`,
/// `PRIORITY`, `SYSLOG_IDENTIFIER`, `MESSAGE_ID` (when `mangrove_event` is a
/// known event), `CODE_FILE`, `CODE_LINE`, `CODE_FUNC`, `SWIFT_LOGGER` (the
/// logger label), then the metadata sorted by key. A metadata key that
/// sanitises to one of those reserved names is prefixed `META_`, so metadata
/// can never forge the priority or message.
struct JournalEntry: Equatable {
    struct Field: Equatable {
        var name: String
        var value: String
    }

    static let reservedNames: Set<String> = [
        "MESSAGE", "PRIORITY", "SYSLOG_IDENTIFIER", "MESSAGE_ID",
        "CODE_FILE", "CODE_LINE", "CODE_FUNC", "SWIFT_LOGGER",
    ]

    var fields: [Field]

    init(
        level: Logger.Level,
        message: String,
        metadata: Logger.Metadata,
        identifier: String,
        label: String,
        file: String,
        function: String,
        line: UInt
    ) {
        var fields = [
            Field(name: "MESSAGE", value: message),
            Field(name: "PRIORITY", value: String(SyslogPriority.of(level))),
            Field(name: "SYSLOG_IDENTIFIER", value: identifier),
        ]
        if let event = metadata[MangroveMessageID.eventMetadataKey].map(LogMetadata.text),
           let id = MangroveMessageID.forEvent(event) {
            fields.append(Field(name: "MESSAGE_ID", value: id))
        }
        fields.append(Field(name: "CODE_FILE", value: file))
        fields.append(Field(name: "CODE_LINE", value: String(line)))
        fields.append(Field(name: "CODE_FUNC", value: function))
        fields.append(Field(name: "SWIFT_LOGGER", value: label))
        for (key, value) in metadata.sorted(by: { $0.key < $1.key }) {
            guard var name = JournalFieldName.sanitize(key) else { continue }
            if Self.reservedNames.contains(name) { name = "META_" + name }
            fields.append(Field(name: name, value: LogMetadata.text(value)))
        }
        self.fields = fields
    }

    /// The value of the first field called `name`.
    subscript(name: String) -> String? {
        fields.first(where: { $0.name == name })?.value
    }
}
