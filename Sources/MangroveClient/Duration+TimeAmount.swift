import NIOCore

extension Duration {
    /// The same span as NIO's `TimeAmount` (nanosecond precision, clamped to `Int64`).
    var timeAmount: TimeAmount {
        let (seconds, attoseconds) = components
        let (nanosFromSeconds, overflow) = seconds.multipliedReportingOverflow(by: 1_000_000_000)
        if overflow { return .nanoseconds(seconds < 0 ? .min : .max) }
        let (total, overflow2) = nanosFromSeconds.addingReportingOverflow(attoseconds / 1_000_000_000)
        return .nanoseconds(overflow2 ? .max : total)
    }
}
