import Foundation
import Testing
import SchedulerCore

@Suite("RateLimiter: a token bucket driven by the caller's clock")
struct RateLimiterTests {
    static let t0 = instant("2025-04-01T00:00:00Z")

    @Test("a full bucket serves a burst, then says when to come back")
    func burst() throws {
        var limiter = RateLimiter(rate: 5)
        #expect(limiter.rate == 5 && limiter.burst == 5)
        for _ in 0..<5 { #expect(limiter.acquire(now: Self.t0) == nil) }
        let atNext = limiter.acquire(now: Self.t0)
        let at = try #require(atNext)
        #expect(abs(at.timeIntervalSince(Self.t0) - 0.2) < 1e-6)
        #expect(limiter.acquire(now: at) == nil, "coming back at the promised time is served")
    }

    @Test("an explicit burst; a slow rate still allows one request", arguments: [
        (1.0, 3.0 as Double?, 3, 1.0), (0.5, nil, 1, 2.0), (2.5, nil, 2, 0.2), (1000, nil, 1000, 0.001), (0.1, nil, 1, 10),
    ])
    func burstSizes(_ rate: Double, _ burst: Double?, _ immediate: Int, _ wait: Double) throws {
        var limiter = RateLimiter(rate: rate, burst: burst)
        for i in 0..<immediate { #expect(limiter.acquire(now: Self.t0) == nil, "request \(i)") }
        let atNext = limiter.acquire(now: Self.t0)
        let at = try #require(atNext)
        #expect(abs(at.timeIntervalSince(Self.t0) - wait) < 1e-6)
    }

    @Test("the bucket refills at the rate and never beyond the burst")
    func refill() throws {
        var limiter = RateLimiter(rate: 2, burst: 4)
        for _ in 0..<4 { #expect(limiter.acquire(now: Self.t0) == nil) }
        #expect(limiter.acquire(now: Self.t0) != nil)
        // One second later: two tokens.
        let t1 = Self.t0.addingTimeInterval(1)
        #expect(limiter.acquire(now: t1) == nil)
        #expect(limiter.acquire(now: t1) == nil)
        #expect(limiter.acquire(now: t1) != nil)
        // After a long idle time: only the burst.
        let t2 = Self.t0.addingTimeInterval(3600)
        for _ in 0..<4 { #expect(limiter.acquire(now: t2) == nil) }
        let atNext = limiter.acquire(now: t2)
        let at = try #require(atNext)
        #expect(abs(at.timeIntervalSince(t2) - 0.5) < 1e-6)
    }

    @Test("a clock stepping backwards adds no tokens")
    func backwards() {
        var limiter = RateLimiter(rate: 1, burst: 1)
        #expect(limiter.acquire(now: Self.t0) == nil)
        #expect(limiter.acquire(now: Self.t0.addingTimeInterval(-60)) != nil)
    }

    @Test("a zero or negative rate is clamped, never a division by zero")
    func zeroRate() {
        var limiter = RateLimiter(rate: 0)
        #expect(limiter.rate > 0)
        #expect(limiter.acquire(now: Self.t0) == nil)
        let at = limiter.acquire(now: Self.t0)
        #expect(at.map { $0 > Self.t0 && $0.timeIntervalSince1970.isFinite } == true)
    }

    /// A caller that always comes back exactly when told (a virtual clock) is served on the
    /// first return, time always moves forward, and the long-run rate is the configured one.
    @Test("waiting exactly as told: never a spin at the same instant, and the rate holds",
          arguments: [0.1, 0.3, 1, 2.5, 3, 5, 7, 10, 13, 100, 1000])
    func sustained(_ rate: Double) {
        var limiter = RateLimiter(rate: rate)
        var now = Self.t0
        let grants = 500
        for _ in 0..<grants {
            var waits = 0
            while let at = limiter.acquire(now: now) {
                #expect(at >= now)
                now = at
                waits += 1
                if waits > 1 {
                    Issue.record("rate \(rate): not served at the promised time \(utcString(at))")
                    return
                }
            }
        }
        let expected = max(0, Double(grants) - limiter.burst) / rate
        #expect(abs(now.timeIntervalSince(Self.t0) - expected) <= expected * 1e-6 + 1e-6,
                "rate \(rate): \(grants) grants took \(now.timeIntervalSince(Self.t0)) s, expected \(expected) s")
    }

    @Test("two callers sharing the bucket are served one after the other")
    func twoCallers() throws {
        var limiter = RateLimiter(rate: 1, burst: 1)
        #expect(limiter.acquire(now: Self.t0) == nil)
        let aNext = limiter.acquire(now: Self.t0)
        let a = try #require(aNext)
        let bNext = limiter.acquire(now: Self.t0.addingTimeInterval(0.5))
        let b = try #require(bNext)
        #expect(abs(a.timeIntervalSince(Self.t0) - 1) < 1e-6)
        #expect(abs(b.timeIntervalSince(Self.t0) - 1) < 1e-6)
        #expect(limiter.acquire(now: a) == nil)
        let laterNext = limiter.acquire(now: b)
        let later = try #require(laterNext)
        #expect(abs(later.timeIntervalSince(Self.t0) - 2) < 1e-6)
    }
}
