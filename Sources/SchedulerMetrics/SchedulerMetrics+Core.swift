import SchedulerCore

extension SchedulerMetrics.Outcome {
    /// What a journal line ends its period as; nil for a line that ends nothing.
    public init?(entry: JournalEntry) {
        switch entry.event {
        case .completed:
            self = entry.detail?.hasPrefix(PeriodRun.foundDetailPrefix) == true ? .foundOnAPI : .completed
        case .failed: self = .failed
        case .ambiguous: self = .ambiguous
        case .skipped: self = .skipped
        default: return nil
        }
    }
}

extension SchedulerMetrics.LedgerGauges {
    /// The gauges of a ledger's standing as the scheduler surveyed it.
    public init(_ status: LedgerStatus) {
        self.init(
            dueNotDone: status.dueNotDone, inFlight: status.inFlight, overdue: status.overdue,
            held: SchedulerMetrics.HeldReason(heldDetail: status.heldDetail), paused: status.paused,
            lastCompletedEnd: status.lastCompletedEnd)
    }
}
