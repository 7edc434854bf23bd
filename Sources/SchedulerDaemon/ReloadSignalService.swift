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
///
/// When the scheduler ends with an error (a journal that cannot be written or read: the
/// daemon stops rather than act unrecorded), systemd is told before the process exits:
/// `STATUS=` with the reason, then `STOPPING=1`, so `systemctl status` shows why.
public struct SchedulerService: Service {
    public let scheduler: Scheduler

    public init(scheduler: Scheduler) {
        self.scheduler = scheduler
    }

    public func run() async throws {
        do {
            try await scheduler.run()
        } catch is CancellationError {
            throw CancellationError()
        } catch {
            FatalNotice.send(error, to: scheduler.deps.notifier)
            throw error
        }
    }
}
