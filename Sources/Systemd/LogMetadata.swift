import Logging

/// The metadata of one log statement, merged the way swift-log's own handlers do.
///
/// Precedence, lowest first: the handler's metadata, the metadata provider
/// (task-local context), the statement's explicit metadata; an attached error
/// adds `error.message` and `error.type`. Shared by both handlers so journald
/// fields and stderr `key=value`s always agree.
enum LogMetadata {
    static func merged(
        handler: Logger.Metadata,
        provider: Logger.MetadataProvider?,
        explicit: Logger.Metadata?,
        error: (any Error)?
    ) -> Logger.Metadata {
        var metadata = handler
        if let provided = provider?.get(), !provided.isEmpty {
            metadata.merge(provided, uniquingKeysWith: { _, new in new })
        }
        if let explicit, !explicit.isEmpty {
            metadata.merge(explicit, uniquingKeysWith: { _, new in new })
        }
        if let error {
            metadata["error.message"] = "\(error)"
            metadata["error.type"] = "\(String(reflecting: type(of: error)))"
        }
        return metadata
    }

    /// A metadata value as flat text (`.string` as is, arrays and dictionaries in swift-log's notation).
    static func text(_ value: Logger.MetadataValue) -> String {
        switch value {
        case .string(let string): string
        case .stringConvertible(let convertible): convertible.description
        default: value.description
        }
    }
}
