import Foundation
import Testing
import SchedulerCore

@Suite("WakeQueue: per-key wake-ups, earliest first")
struct WakeQueueTests {
    static let t0 = instant("2025-04-01T00:00:00Z")

    @Test("schedule, reschedule, cancel, pop")
    func basics() {
        var q = WakeQueue<String>()
        #expect(q.peek() == nil)
        q.schedule("a", at: Self.t0.addingTimeInterval(30))
        q.schedule("b", at: Self.t0.addingTimeInterval(10))
        q.schedule("c", at: Self.t0.addingTimeInterval(20))
        #expect(q.count == 3)
        #expect(q.peek()?.key == "b")
        // Rescheduling replaces: b moves after a.
        q.schedule("b", at: Self.t0.addingTimeInterval(40))
        #expect(q.scheduled("b") == Self.t0.addingTimeInterval(40))
        #expect(q.peek()?.key == "c")
        // Cancelling drops it.
        q.schedule("c", at: nil)
        #expect(q.scheduled("c") == nil)
        #expect(q.count == 2)
        #expect(q.popDue(now: Self.t0.addingTimeInterval(29)) == [])
        #expect(q.popDue(now: Self.t0.addingTimeInterval(40)) == ["a", "b"])
        #expect(q.count == 0)
        #expect(q.peek() == nil)
        #expect(q.popDue(now: .distantFuture) == [])
    }

    @Test("a popped key is not popped again until rescheduled")
    func poppedOnce() {
        var q = WakeQueue<Int>()
        q.schedule(1, at: Self.t0)
        q.schedule(1, at: Self.t0)
        #expect(q.popDue(now: Self.t0) == [1])
        #expect(q.popDue(now: Self.t0) == [])
        q.schedule(1, at: Self.t0)
        #expect(q.popDue(now: Self.t0) == [1])
    }

    @Test("random operations agree with a dictionary model", arguments: [UInt64(1), 2, 3, 4, 5])
    func model(_ seed: UInt64) {
        var rng = SplitMix64(seed: seed)
        var q = WakeQueue<Int>()
        var model: [Int: Date] = [:]
        var now = Self.t0
        for _ in 0..<3000 {
            let key = Int.random(in: 0..<40, using: &rng)
            switch Int.random(in: 0..<10, using: &rng) {
            case 0:
                q.schedule(key, at: nil)
                model[key] = nil
            case 1...6:
                let at = now.addingTimeInterval(Double(Int.random(in: -5...100, using: &rng)))
                q.schedule(key, at: at)
                model[key] = at
            default:
                now = now.addingTimeInterval(Double(Int.random(in: 0...20, using: &rng)))
                let popped = q.popDue(now: now)
                let expected = model.filter { $0.value <= now }
                #expect(Set(popped) == Set(expected.keys))
                #expect(popped.count == expected.count)
                let times = popped.compactMap { expected[$0] }
                #expect(times == times.sorted(), "earliest first")
                for k in popped { model[k] = nil }
            }
            #expect(q.count == model.count)
            #expect(q.peek()?.at == model.values.min())
            #expect(q.scheduled(key) == model[key])
        }
    }
}
