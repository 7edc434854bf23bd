import Testing
import SchedulerCore

@Suite("Backoff: exponential delays with jitter")
struct BackoffTests {
    @Test("polling ceilings: 2, 4, 8, 16, 32, 60, 60 …")
    func pollingTable() {
        let ceilings = (0...8).map { Backoff.polling.ceiling(forAttempt: $0) }
        #expect(ceilings == [2, 4, 8, 16, 32, 60, 60, 60, 60].map { Duration.seconds($0) })
        #expect(Backoff.polling.ceiling(forAttempt: 10_000) == .seconds(60))
        #expect(Backoff.polling.ceiling(forAttempt: -3) == .seconds(2))
    }

    @Test("API retry ceilings: 0.5 s doubling to 30 s")
    func apiRetryTable() {
        let ceilings = (0...7).map { Backoff.apiRetry.ceiling(forAttempt: $0).seconds }
        #expect(ceilings == [0.5, 1, 2, 4, 8, 16, 30, 30])
    }

    @Test("other multipliers and caps")
    func custom() {
        let triple = Backoff(initial: .seconds(1), multiplier: 3, cap: .seconds(100), jitter: .none)
        #expect((0...6).map { triple.ceiling(forAttempt: $0).seconds } == [1, 3, 9, 27, 81, 100, 100])
        let capped = Backoff(initial: .seconds(900), cap: .seconds(900 * 16), jitter: .none)
        #expect((0...6).map { capped.ceiling(forAttempt: $0).seconds } == [900, 1800, 3600, 7200, 14_400, 14_400, 14_400])
        let initialAboveCap = Backoff(initial: .seconds(120), cap: .seconds(60), jitter: .none)
        #expect(initialAboveCap.ceiling(forAttempt: 0) == .seconds(60))
    }

    @Test("no jitter: the ceiling itself")
    func noJitter() {
        var rng = SplitMix64(seed: 1)
        let b = Backoff(initial: .seconds(2), cap: .seconds(60), jitter: .none)
        #expect((0...6).map { b.delay(forAttempt: $0, using: &rng) } == (0...6).map { b.ceiling(forAttempt: $0) })
    }

    @Test("jitter bounds", arguments: [
        (Backoff.Jitter.full, 0.0), (.proportional(0.2), 0.8), (.proportional(0.5), 0.5), (.proportional(1.5), 0.0),
        (.proportional(-1), 1.0), (.proportional(0), 1.0),
    ])
    func jitterBounds(_ jitter: Backoff.Jitter, _ lowFraction: Double) {
        var rng = SplitMix64(seed: 99)
        let b = Backoff(initial: .seconds(2), cap: .seconds(60), jitter: jitter)
        for attempt in 0..<8 {
            let ceiling = b.ceiling(forAttempt: attempt).seconds
            var seen: [Double] = []
            for _ in 0..<300 {
                let d = b.delay(forAttempt: attempt, using: &rng).seconds
                seen.append(d)
                #expect(d <= ceiling + 1e-9 && d >= ceiling * lowFraction - 1e-9, "attempt \(attempt): \(d) of \(ceiling)")
            }
            if lowFraction < 1 {
                // Actually spread over the range, not stuck at one end.
                let span = ceiling * (1 - lowFraction)
                #expect((seen.min() ?? 0) < ceiling * lowFraction + span * 0.1)
                #expect((seen.max() ?? 0) > ceiling - span * 0.1)
            }
        }
    }

    @Test("the same seed gives the same delays")
    func deterministic() {
        func delays(_ seed: UInt64) -> [Duration] {
            var rng = SplitMix64(seed: seed)
            return (0..<10).map { Backoff.apiRetry.delay(forAttempt: $0, using: &rng) }
        }
        #expect(delays(5) == delays(5))
        #expect(delays(5) != delays(6))
    }

    @Test("the polling policy's backoff is the documented one")
    func pollingPolicy() {
        #expect(PollingPolicy().backoff == Backoff.polling)
        let custom = PollingPolicy(firstPollAfter: .seconds(5), maxInterval: .seconds(30)).backoff
        #expect(custom == Backoff(initial: .seconds(5), cap: .seconds(30), jitter: .symmetric(0.2)))
    }

    @Test("Duration.seconds", arguments: [
        (Duration.seconds(0), 0.0), (.milliseconds(1500), 1.5), (.seconds(3600), 3600), (.microseconds(1), 0.000001),
        (.seconds(-2), -2),
    ])
    func durationSeconds(_ d: Duration, _ seconds: Double) {
        #expect(abs(d.seconds - seconds) < 1e-12)
    }
}

@Suite("RetryPolicy: how often and how long to wait, honouring Retry-After")
struct RetryPolicyTests {
    @Test("the budget: six attempts in all by default")
    func budget() {
        var rng = SplitMix64(seed: 1)
        let p = RetryPolicy.default
        #expect(p.maxAttempts == 6)
        for attempt in 1...5 { #expect(p.delay(afterAttempt: attempt, retryAfter: nil, using: &rng) != nil) }
        #expect(p.delay(afterAttempt: 6, retryAfter: nil, using: &rng) == nil)
        #expect(p.delay(afterAttempt: 7, retryAfter: .seconds(1), using: &rng) == nil)
        #expect(RetryPolicy(maxAttempts: 1).delay(afterAttempt: 1, retryAfter: nil, using: &rng) == nil)
    }

    @Test("without Retry-After: full jitter under the backoff ceiling")
    func jittered() {
        var rng = SplitMix64(seed: 3)
        let p = RetryPolicy.default
        for attempt in 1...5 {
            let ceiling = Backoff.apiRetry.ceiling(forAttempt: attempt - 1)
            for _ in 0..<100 {
                let d = p.delay(afterAttempt: attempt, retryAfter: nil, using: &rng)
                #expect(d.map { $0 >= .zero && $0 <= ceiling } == true)
            }
        }
    }

    @Test("Retry-After is never undercut, and is clamped", arguments: [
        (1, Duration.seconds(10), Duration.seconds(10)), (1, .seconds(1000), .seconds(300)), (2, .seconds(300), .seconds(300)),
        (1, .seconds(301), .seconds(300)),
    ])
    func retryAfter(_ attempt: Int, _ retryAfter: Duration, _ expected: Duration) {
        var rng = SplitMix64(seed: 4)
        #expect(RetryPolicy.default.delay(afterAttempt: attempt, retryAfter: retryAfter, using: &rng) == expected)
    }

    @Test("a short Retry-After is a floor under the jittered delay")
    func retryAfterFloor() {
        var rng = SplitMix64(seed: 5)
        for _ in 0..<200 {
            let d = RetryPolicy.default.delay(afterAttempt: 5, retryAfter: .seconds(2), using: &rng)
            #expect(d.map { $0 >= .seconds(2) && $0 <= .seconds(8) } == true)
        }
        let zero = RetryPolicy.default.delay(afterAttempt: 1, retryAfter: .zero, using: &rng)
        #expect(zero.map { $0 >= .zero && $0 <= .milliseconds(500) } == true)
    }

    @Test("a custom clamp")
    func customClamp() {
        var rng = SplitMix64(seed: 6)
        let p = RetryPolicy(maxAttempts: 3, backoff: Backoff(initial: .seconds(1), cap: .seconds(4), jitter: .none), maxRetryAfter: .seconds(5))
        #expect(p.delay(afterAttempt: 1, retryAfter: .seconds(60), using: &rng) == .seconds(5))
        #expect(p.delay(afterAttempt: 2, retryAfter: nil, using: &rng) == .seconds(2))
        #expect(p.delay(afterAttempt: 3, retryAfter: nil, using: &rng) == nil)
    }
}

@Suite("Backoff symmetric jitter")
struct BackoffSymmetricJitterTests {
    @Test("symmetric(0.2) spreads over ±20 % of the ceiling, never above the cap")
    func symmetric() {
        var rng = SplitMix64(seed: 5)
        let b = Backoff(initial: .seconds(2), cap: .seconds(60), jitter: .symmetric(0.2))
        for attempt in 0..<8 {
            let ceiling = b.ceiling(forAttempt: attempt).seconds
            let seen = (0..<300).map { _ in b.delay(forAttempt: attempt, using: &rng).seconds }
            for d in seen {
                #expect(d >= ceiling * 0.8 - 1e-9 && d <= min(ceiling * 1.2, 60) + 1e-9, "attempt \(attempt): \(d) of \(ceiling)")
            }
            if ceiling * 1.2 <= 60 {
                #expect((seen.max() ?? 0) > ceiling * 1.15, "attempt \(attempt): never above the ceiling")
            }
            #expect((seen.min() ?? 0) < ceiling * 0.85)
        }
        #expect(Backoff.polling.jitter == .symmetric(0.2))
        #expect(PollingPolicy().backoff.jitter == .symmetric(0.2))
    }
}
