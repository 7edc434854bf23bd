import Foundation
import SchedulerCore
import Testing

/// The progress-aware poll schedule, driven by a simulated task (no clock, no network).
@Suite("PollSchedule")
struct PollScheduleTests {
    static let t0 = Date(timeIntervalSince1970: 1_790_000_000)

    enum Profile { case steady, stuckThenJump, none }

    /// Progress shown at `elapsed` of a run of `duration` (the simulator's profiles).
    static func progress(_ profile: Profile, elapsed: Double, duration: Double) -> Int? {
        let steady = min(99, max(0, Int(elapsed / duration * 100)))
        switch profile {
        case .steady: return steady
        case .stuckThenJump: return elapsed / duration < 0.8 ? min(steady, 10) : steady
        case .none: return nil
        }
    }

    /// Polls a task fired at `t0` that runs `duration` s (no pending phase) until one poll
    /// sees it complete: the polls' offsets from firing.
    static func polls(duration: Double, profile: Profile = .steady, startedAt: Bool = true, history: [Double] = [],
                      policy: PollingPolicy = PollingPolicy(), seed: UInt64 = 7) -> [Double] {
        var rng = SplitMix64(seed: seed)
        var schedule = PollSchedule(firedAt: t0, recentDurations: history)
        var at = policy.firstPollAfter.seconds
        var out: [Double] = []
        while out.count < 500 {
            out.append(at)
            if at >= duration || at >= policy.taskTimeout.seconds { return out }
            let now = t0.addingTimeInterval(at)
            schedule.observe(progress: progress(profile, elapsed: at, duration: duration), startedAt: startedAt ? t0 : nil, at: now)
            at = schedule.next(now: now, policy: policy, using: &rng).at.timeIntervalSince(t0)
        }
        return out
    }

    struct Row: Sendable, CustomTestStringConvertible {
        var duration: Double
        var profile: Profile
        var startedAt: Bool
        var history: [Double]
        /// Polls until the one that sees it complete, at most.
        var maxPolls: Int
        /// Seconds between the finish and the poll that sees it, at most.
        var maxLate: Double
        var testDescription: String { "\(Int(duration)) s \(profile) started_at:\(startedAt) history:\(history.count) ≤\(maxPolls) polls ≤\(maxLate) s late" }
    }

    static let rows: [Row] = [
        Row(duration: 10, profile: .steady, startedAt: true, history: [], maxPolls: 3, maxLate: 1.5),
        Row(duration: 60, profile: .steady, startedAt: true, history: [], maxPolls: 3, maxLate: 1.5),
        Row(duration: 60, profile: .steady, startedAt: false, history: [], maxPolls: 4, maxLate: 1.5),
        Row(duration: 60, profile: .steady, startedAt: true, history: [60.7, 60.7, 60.7], maxPolls: 2, maxLate: 1),
        Row(duration: 60, profile: .steady, startedAt: false, history: [60.7, 60.7], maxPolls: 2, maxLate: 1),
        Row(duration: 300, profile: .steady, startedAt: true, history: [], maxPolls: 6, maxLate: 6),
        Row(duration: 1800, profile: .steady, startedAt: true, history: [], maxPolls: 8, maxLate: 30),
        Row(duration: 1800, profile: .steady, startedAt: false, history: [], maxPolls: 10, maxLate: 30),
        Row(duration: 1800, profile: .steady, startedAt: true, history: [1801, 1801], maxPolls: 4, maxLate: 2),
        // History that no longer holds (the task got much longer): progress wins.
        Row(duration: 1800, profile: .steady, startedAt: true, history: [60, 60], maxPolls: 10, maxLate: 30),
        // History that no longer holds (the task got much shorter): the first readings win.
        Row(duration: 60, profile: .steady, startedAt: true, history: [1800], maxPolls: 4, maxLate: 1.5),
        // Stuck then jumps: backoff while stuck, the estimate again after the jump.
        Row(duration: 60, profile: .stuckThenJump, startedAt: true, history: [], maxPolls: 8, maxLate: 12),
        Row(duration: 1800, profile: .stuckThenJump, startedAt: true, history: [], maxPolls: 40, maxLate: 60),
        Row(duration: 1800, profile: .stuckThenJump, startedAt: true, history: [1801], maxPolls: 6, maxLate: 2),
        // No progress at all: the capped backoff of before (2, 4, 8, 16, 32, 60, 60, …).
        Row(duration: 60, profile: .none, startedAt: false, history: [], maxPolls: 6, maxLate: 60),
    ]

    @Test("polls and lateness per task profile", arguments: rows)
    func table(_ row: Row) {
        for seed: UInt64 in [1, 7, 42] {
            let polls = Self.polls(duration: row.duration, profile: row.profile, startedAt: row.startedAt, history: row.history, seed: seed)
            let late = (polls.last ?? 0) - row.duration
            #expect(polls.count <= row.maxPolls, "\(polls.count) polls: \(polls.map { String(format: "%.1f", $0) })")
            #expect(late >= 0 && late <= row.maxLate, "noticed \(late) s late: \(polls.map { String(format: "%.1f", $0) })")
            #expect(polls.first == 2, "the first poll is first_poll_after after firing")
            for (a, b) in zip(polls, polls.dropFirst()) {
                #expect(b - a >= 0.999, "polls \(a) and \(b) closer than 1 s")
            }
        }
    }

    @Test("the worked values of the doc comment")
    func workedValues() {
        let sixty = Self.polls(duration: 60).map { ($0 * 10).rounded() / 10 }
        #expect(sixty == [2, 50, 60.7])
        for seed: UInt64 in [1, 2, 3] {
            let long = Self.polls(duration: 1800, seed: seed)
            #expect(long.count == 7, "\(long)")
            #expect((long.last ?? 0) - 1800 <= 20, "\(long)")
        }
    }

    @Test("without a signal the intervals are the ±20 % backoff, capped at max_interval")
    func backoffWithoutSignal() {
        for seed: UInt64 in [1, 2, 3] {
            let polls = Self.polls(duration: 600, profile: .none, startedAt: false, seed: seed)
            let intervals = zip(polls, polls.dropFirst()).map { $1 - $0 }
            let ceilings: [Double] = [4, 8, 16, 32] + Array(repeating: 60, count: 40)
            for (interval, ceiling) in zip(intervals, ceilings) {
                #expect(interval >= 0.8 * ceiling - 1e-6 && interval <= min(1.2 * ceiling, 60) + 1e-6, "\(interval) for \(ceiling)")
            }
        }
    }

    @Test("progress that stalls after moving falls back to backoff, then the rate is measured afresh")
    func stuck() {
        var rng = SplitMix64(seed: 1)
        var s = PollSchedule(firedAt: Self.t0)
        s.observe(progress: 2, startedAt: Self.t0, at: Self.t0.addingTimeInterval(2))
        s.observe(progress: 20, startedAt: nil, at: Self.t0.addingTimeInterval(20))
        #expect(s.next(now: Self.t0.addingTimeInterval(20), policy: PollingPolicy(), using: &rng).basis != .backoff)
        #expect(!s.irregular)
        s.observe(progress: 20, startedAt: nil, at: Self.t0.addingTimeInterval(40))
        #expect(s.irregular)
        #expect(s.anchor == PollSchedule.Reading(time: Self.t0.addingTimeInterval(20), progress: 20))
        #expect(s.next(now: Self.t0.addingTimeInterval(40), policy: PollingPolicy(), using: &rng).basis == .backoff)
        s.observe(progress: 20, startedAt: nil, at: Self.t0.addingTimeInterval(80))
        #expect(s.next(now: Self.t0.addingTimeInterval(80), policy: PollingPolicy(), using: &rng).basis == .backoff)
        // Moving again: 20 → 60 % in 40 s, so the end is about 40 s away; steps stay short.
        s.observe(progress: 60, startedAt: nil, at: Self.t0.addingTimeInterval(120))
        let next = s.next(now: Self.t0.addingTimeInterval(120), policy: PollingPolicy(), using: &rng)
        #expect(next.basis != .backoff)
        #expect(next.at <= Self.t0.addingTimeInterval(220))
    }

    @Test("never past task_timeout; a started_at from a skewed clock is clamped")
    func bounds() {
        var rng = SplitMix64(seed: 1)
        let policy = PollingPolicy(taskTimeout: .seconds(120))
        var s = PollSchedule(firedAt: Self.t0)
        s.observe(progress: 1, startedAt: Self.t0.addingTimeInterval(-3600), at: Self.t0.addingTimeInterval(2))
        #expect(s.startedAt == Self.t0)
        let next = s.next(now: Self.t0.addingTimeInterval(2), policy: policy, using: &rng)
        #expect(next.at <= Self.t0.addingTimeInterval(120.01))
        var future = PollSchedule(firedAt: Self.t0)
        future.observe(progress: 5, startedAt: Self.t0.addingTimeInterval(3600), at: Self.t0.addingTimeInterval(2))
        #expect(future.startedAt == Self.t0.addingTimeInterval(2))
    }

    @Test("recent durations: a ring of the last five, oldest first")
    func ring() {
        var r = RecentDurations()
        for d in 1...7 { r.append(Double(d)) }
        #expect(r.values == [3, 4, 5, 6, 7])
        r.append(-1)
        r.append(.nan)
        #expect(r.values == [3, 4, 5, 6, 7])
    }
}

@Suite("JournalState recent durations")
struct RecentDurationsStateTests {
    @Test("a polled task's fired→completed time is recorded per ledger; found or reconciled completions are not")
    func durations() {
        let t0 = Date(timeIntervalSince1970: 1_790_000_000)
        var s = JournalState()
        func line(_ start: String, _ event: JournalEvent, _ at: Double, detail: String? = nil) {
            s.apply(JournalEntry(time: t0.addingTimeInterval(at), ledgerID: "lgr_a", periodStart: start, periodEnd: start + "e", event: event, taskID: event == .intent ? nil : 1, detail: detail))
        }
        line("p1", .intent, 0); line("p1", .fired, 1); line("p1", .progress, 20); line("p1", .completed, 61)
        line("p2", .intent, 100); line("p2", .fired, 100); line("p2", .completed, 130)
        line("p3", .completed, 200, detail: "found on the API: x")
        #expect(s.recentDurations(ledgerID: "lgr_a") == [60, 30])
        #expect(s.recentDurations(ledgerID: "lgr_b") == [])
    }
}
