import Foundation

/// When to poll a running task next, as pure math: the task's own progress readings
/// (0–99 while running, plus `started_at`) and how long the ledger's recent generations
/// took give a window in which the task will finish; the next poll goes just after the
/// window's end once it is narrow, and to its start (or halfway there) while it is wide,
/// so each reading tightens it. With no signal (no progress, progress stuck, no history)
/// it falls back to `PollingPolicy.backoff` (×2 per poll, ±20 %, capped at
/// `max_interval`). `task_timeout` is never overshot.
///
/// Progress is taken as linear between readings; a reading of `p` % means the true
/// fraction is in `[p, p + 1)` %. `started_at` counts as a reading of exactly 0 %.
/// Worked values (steady task, `started_at` known, first poll 2 s after firing):
///
/// | task   | polls at (s after firing; reading)                                   | late      |
/// |--------|----------------------------------------------------------------------|-----------|
/// | 10 s   | 2 (20 %), 10.5                                                       | 0.5 s     |
/// | 60 s   | 2 (3 %), 50 (83 %), 60.7                                             | 0.7 s     |
/// | 300 s  | 2 (0 %), ~6 (2 %), ~105 (35 %), ~200 (67 %), ~302                    | 1.5–3.5 s |
/// | 1800 s | 2, ~6, ~13 (0 %: backoff), ~30 (1 %), ~790 (43 %), ~1290 (71 %), ~1805 | 1–15 s  |
///
/// With a ledger history of 60.7 s runs, the 60 s task is polled at 2 s and 60.7 s; an
/// 1800 s task with a history of 1801 s at 2, 901.5 (halfway: history alone never jumps
/// further than that) and 1801 s. Progress that stalls or jumps (the rate between the
/// last two readings disagrees with the rate before) is measured afresh from the reading
/// before the change, and steps towards the estimate are then no longer than the time
/// since that reading.
public struct PollSchedule: Sendable, Hashable {
    /// One progress reading. `exact` readings (`started_at`) are exactly that progress;
    /// others are anywhere in `[progress, progress + 1)`.
    public struct Reading: Sendable, Hashable {
        public var time: Date
        public var progress: Int
        public var exact: Bool

        public init(time: Date, progress: Int, exact: Bool = false) {
            self.time = time
            self.progress = progress
            self.exact = exact
        }
    }

    /// Why the next poll is when it is.
    public enum Basis: String, Sendable, Hashable {
        /// Just after a narrow estimate of the finish.
        case estimate
        /// Moving towards a wide estimate to read progress again.
        case approach
        /// No usable signal: capped exponential backoff with ±20 % jitter.
        case backoff
    }

    /// A window in which the task is expected to finish.
    public struct Window: Sendable, Hashable {
        public var earliest: Date
        public var latest: Date
        /// The window's end comes from the ledger's history, not this task's progress.
        public var latestFromHistory: Bool
        /// This task's progress has no part in the window.
        public var historyOnly = false
    }

    /// Poll this long after the estimated latest finish (a server needs a moment to
    /// switch the task's state).
    public static let margin: TimeInterval = 0.5
    /// A window narrower than this fraction of the task's expected duration (and at
    /// least 1 s) is narrow enough to poll just after its end.
    public static let tolerance = 0.02
    /// Recent durations below this fraction of their minimum could still be this task's.
    public static let historySlack = 0.015
    /// Progress unchanged for this many expected percent-steps means it is stuck.
    public static let stuckSteps = 3.0

    public let firedAt: Date
    /// When the POST was about to be sent: the task cannot have started before it.
    public let postedAt: Date
    /// Seconds from firing to completion of the ledger's recent generations.
    public let recentDurations: [Double]
    public private(set) var startedAt: Date?
    /// The reading the progress rate is measured from.
    public private(set) var anchor: Reading?
    public private(set) var latest: Reading?
    /// The reading before `latest`.
    public private(set) var previous: Reading?
    /// When the progress last changed.
    public private(set) var lastChange: Date?
    /// Polls in a row chosen by backoff (the backoff attempt).
    public private(set) var quietPolls = 0
    /// The rate changed, stalled or went backwards at least once: steps towards the
    /// estimate are then at most as long as the time since the anchor (the estimate may
    /// be far too late).
    public private(set) var irregular = false
    private var reanchored = false

    public init(firedAt: Date, postedAt: Date? = nil, recentDurations: [Double] = []) {
        self.firedAt = firedAt
        self.postedAt = min(postedAt ?? firedAt, firedAt)
        self.recentDurations = recentDurations.filter { $0.isFinite && $0 > 0 }
    }

    /// Folds in one usable poll answer of a running or pending task.
    public mutating func observe(progress: Int?, startedAt: Date?, at now: Date) {
        if self.startedAt == nil, let startedAt {
            // The server's clock may differ from ours: keep it between the POST and now.
            let clamped = min(max(startedAt, postedAt), now)
            self.startedAt = clamped
            if !reanchored { anchor = Reading(time: clamped, progress: 0, exact: true) }
        }
        guard let raw = progress else { return }
        let p = min(max(raw, 0), 99)
        let reading = Reading(time: now, progress: p)
        if let last = latest, p < last.progress {
            // Progress went backwards: measure afresh from here.
            anchor = reading
            reanchored = true
            irregular = true
            lastChange = now
        } else if latest?.progress != p {
            lastChange = now
        }
        if anchor == nil { anchor = reading }
        previous = latest
        latest = reading
        if let a = anchor, let m = previous, let l = latest, m.time > a.time, l.time > m.time,
           let before = Self.rate(from: a, to: m), let since = Self.rate(from: m, to: l),
           before.upperBound < since.lowerBound || since.upperBound < before.lowerBound {
            // The rate changed (a stall, a jump): measure from the reading before the change.
            anchor = m
            reanchored = true
            irregular = true
        }
    }

    /// The progress rates (percent per second) consistent with two readings.
    static func rate(from a: Reading, to b: Reading) -> ClosedRange<Double>? {
        let dt = b.time.timeIntervalSince(a.time)
        guard dt > 0 else { return nil }
        let low = max(0, (Double(b.progress) - Double(a.progress) - (a.exact ? 0 : 1)) / dt)
        let high = max(low, (Double(b.progress) + 1 - Double(a.progress)) / dt)
        return low...high
    }

    /// The finish window from this task's progress, if its rate is known.
    public var progressWindow: Window? {
        guard let a = anchor, let l = latest, l.time > a.time, l.progress > 0 else { return nil }
        let dt = l.time.timeIntervalSince(a.time)
        let anchorLow = Double(a.progress), anchorHigh = a.exact ? anchorLow : anchorLow + 1
        let lastLow = Double(l.progress), lastHigh = lastLow + 1
        let fastest = (lastHigh - anchorLow) / dt
        let slowest = (lastLow - anchorHigh) / dt
        guard slowest > 0 else { return nil }
        return Window(
            earliest: l.time.addingTimeInterval(max(0, 100 - lastHigh) / fastest),
            latest: l.time.addingTimeInterval((100 - lastLow) / slowest), latestFromHistory: false)
    }

    /// The finish window from the ledger's recent durations, while it still lies ahead.
    public func historyWindow(now: Date) -> Window? {
        guard let shortest = recentDurations.min(), let longest = recentDurations.max() else { return nil }
        let latest = firedAt.addingTimeInterval(longest)
        guard latest > now else { return nil }
        return Window(earliest: firedAt.addingTimeInterval(shortest * (1 - Self.historySlack)), latest: latest, latestFromHistory: true, historyOnly: true)
    }

    /// The window both sources agree on; when they disagree, the earlier one (polling
    /// early costs a request, polling late costs lateness and the other source may be stale).
    public func window(now: Date) -> Window? {
        let progress = progressWindow
        let history = historyWindow(now: now)
        guard let p = progress else { return history }
        guard let h = history else { return p }
        guard h.earliest <= p.latest, p.earliest <= h.latest else { return p.earliest <= h.earliest ? p : h }
        let end = min(p.latest, h.latest)
        return Window(earliest: max(p.earliest, h.earliest), latest: end, latestFromHistory: h.latest < p.latest)
    }

    /// Progress has not moved for `stuckSteps` times the time one percent took so far.
    public var isStuck: Bool {
        guard let a = anchor, let l = latest, let changed = lastChange, l.time > changed else { return false }
        let moved = Double(l.progress - a.progress)
        let took = changed.timeIntervalSince(a.time)
        guard moved > 0, took > 0 else { return false }
        return l.time.timeIntervalSince(changed) > Self.stuckSteps * took / moved
    }

    /// The next poll after a usable answer at `now`.
    public mutating func next(now: Date, policy: PollingPolicy, using rng: inout some RandomNumberGenerator) -> (at: Date, basis: Basis) {
        if isStuck, let l = latest {
            // Measure the rate afresh once it moves again.
            anchor = l
            reanchored = true
            irregular = true
            lastChange = l.time
        }
        let deadline = firedAt.addingTimeInterval(policy.taskTimeout.seconds + 0.001)
        let soonest = now.addingTimeInterval(min(policy.firstPollAfter.seconds, 1))
        let cap = policy.maxInterval.seconds
        guard let w = window(now: now) else {
            quietPolls += 1
            let delay = policy.backoff.delay(forAttempt: quietPolls, using: &rng)
            return (min(now.addingTimeInterval(delay.seconds), max(deadline, soonest)), .backoff)
        }
        quietPolls = 0
        let expected = w.latest.timeIntervalSince(firedAt)
        let narrow = w.latest.timeIntervalSince(w.earliest) <= max(1, Self.tolerance * expected)
        var at: Date
        var basis = Basis.approach
        if narrow {
            // No margin after a history bound: the recorded durations already include one,
            // and adding it again would make them creep up generation after generation.
            at = w.latestFromHistory ? w.latest : w.latest.addingTimeInterval(Self.margin)
            basis = .estimate
        } else if w.earliest > now {
            at = w.earliest
        } else {
            at = now.addingTimeInterval(w.latest.timeIntervalSince(now) / 2)
        }
        let gap = at.timeIntervalSince(now)
        // History alone is not this task: never wait past max_interval or half the way.
        if w.historyOnly || basis == .approach, gap > cap {
            var step = max(cap, gap / 2)
            if irregular, let a = anchor { step = min(step, max(cap, now.timeIntervalSince(a.time))) }
            at = now.addingTimeInterval(step)
            basis = .approach
        }
        return (min(max(at, soonest), max(deadline, soonest)), basis)
    }
}
