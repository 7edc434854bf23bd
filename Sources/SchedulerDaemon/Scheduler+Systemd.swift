import Foundation
import Logging
import MangroveAPI
import SchedulerCore
import ServiceLifecycle
import Systemd

/// Watchdog pings and the STATUS= line.
extension Scheduler {
    func pingWatchdog() {
        guard let interval = deps.notifier.watchdogInterval else { return }
        // `interval` is already half of WATCHDOG_USEC and the loop wakes at least that often.
        let now = deps.clock.now()
        if lastWatchdog.map({ now.timeIntervalSince($0) >= (interval / 2).seconds }) ?? true {
            try? deps.notifier.watchdog()
            lastWatchdog = now
        }
    }

    func statusLine() -> String {
        var next: (String, Date)?
        if let top = wakeQueue.peek() { next = (top.key, top.at) }
        let now = deps.clock.now()
        let wall = deps.clock.wallNow()
        let held = runners.values.filter { r in
            r.run == nil && !r.removed && (r.heldUntil.map { $0 > now } ?? false) && r.ledger.dueInstant(of: r.cursor) <= wall
        }.count
        return StatusLine.format(
            ledgers: order.count, inFlight: activeRuns + detachedRuns, failures: failures, held: held, next: next.map { (ledgerID: $0.0, at: $0.1) })
    }

    func updateStatus() {
        let line = shuttingDown ? "stopping" : statusLine()
        guard line != lastStatus else { return }
        lastStatus = line
        try? deps.notifier.status(line)
    }
}
