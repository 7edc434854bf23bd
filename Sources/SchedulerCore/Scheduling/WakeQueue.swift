import Foundation

/// A min-heap of (time, key) wake-ups with lazy invalidation: re-scheduling a key bumps
/// its generation and older entries are dropped when they surface. Keeps the scheduling
/// loop O(log n) per event with thousands of ledgers.
public struct WakeQueue<Key: Hashable & Sendable>: Sendable {
    private struct Item: Sendable {
        var at: Date
        var key: Key
        var generation: Int
    }

    private var heap: [Item] = []
    private var generations: [Key: Int] = [:]
    private var current: [Key: Date] = [:]

    public init() {}

    /// Schedules `key` at `at`, replacing any earlier schedule of it; nil cancels.
    public mutating func schedule(_ key: Key, at: Date?) {
        if current[key] == at, at != nil { return }  // unchanged: keep the live entry
        let g = (generations[key] ?? 0) + 1
        generations[key] = g
        current[key] = at
        guard let at else { return }
        heap.append(Item(at: at, key: key, generation: g))
        siftUp(heap.count - 1)
    }

    /// When `key` is scheduled, if it is.
    public func scheduled(_ key: Key) -> Date? { current[key] }

    /// The earliest live wake-up.
    public mutating func peek() -> (at: Date, key: Key)? {
        dropStale()
        return heap.first.map { ($0.at, $0.key) }
    }

    /// Removes and returns every key due at `now`, earliest first.
    public mutating func popDue(now: Date) -> [Key] {
        var due: [Key] = []
        while let top = peek(), top.at <= now {
            removeTop()
            current[top.key] = nil
            generations[top.key, default: 0] += 1
            due.append(top.key)
        }
        return due
    }

    public var count: Int { current.count }

    private mutating func dropStale() {
        while let top = heap.first, generations[top.key] != top.generation { removeTop() }
    }

    private mutating func removeTop() {
        heap.swapAt(0, heap.count - 1)
        heap.removeLast()
        if !heap.isEmpty { siftDown(0) }
    }

    private mutating func siftUp(_ index: Int) {
        var i = index
        while i > 0 {
            let parent = (i - 1) / 2
            guard heap[i].at < heap[parent].at else { return }
            heap.swapAt(i, parent)
            i = parent
        }
    }

    private mutating func siftDown(_ index: Int) {
        var i = index
        while true {
            let l = 2 * i + 1, r = l + 1
            var smallest = i
            if l < heap.count, heap[l].at < heap[smallest].at { smallest = l }
            if r < heap.count, heap[r].at < heap[smallest].at { smallest = r }
            if smallest == i { return }
            heap.swapAt(i, smallest)
            i = smallest
        }
    }
}
