import ServiceLifecycle
import UnixSignals

/// Turns SIGHUP (`systemctl reload`) into a schedule reload of the running scheduler.
public struct ReloadSignalService: Service {
    let scheduler: Scheduler

    public init(scheduler: Scheduler) {
        self.scheduler = scheduler
    }

    public func run() async throws {
        let signals = await UnixSignalsSequence(trapping: .sighup)
        for await _ in signals.cancelOnGracefulShutdown() {
            await scheduler.requestReload()
        }
    }
}

/// The scheduler as a `Service` in the daemon's `ServiceGroup`.
public struct SchedulerService: Service {
    public let scheduler: Scheduler

    public init(scheduler: Scheduler) {
        self.scheduler = scheduler
    }

    public func run() async throws {
        try await scheduler.run()
    }
}
