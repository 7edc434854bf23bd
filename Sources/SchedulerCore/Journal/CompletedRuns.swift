/// A ledger's plainly completed periods, kept as runs of back-to-back periods instead of a
/// record each: a run is the first period's start (epoch seconds) and the end of each of
/// its periods as seconds after that start, 4 bytes a period. A journal holds years of
/// completed periods per ledger and the scheduler only ever asks "is this exact period
/// done?", so this is what a completed period costs in memory; what else its lines said
/// (task id, times) is read from the file by `journal` when someone asks.
///
/// Exact: the boundaries of every period are kept, so a period of another cadence or
/// time zone is never mistaken for a completed one.
struct CompletedRuns: Sendable, Equatable {
    struct Run: Sendable, Equatable {
        var start: Int64
        /// End of each period, in seconds after `start`; strictly increasing.
        var ends: [UInt32]

        var end: Int64 { start + Int64(ends[ends.count - 1]) }

        /// The index of the period starting at `t` (inside the run), if a period starts there.
        func index(startingAt t: Int64) -> Int? {
            if t == start { return 0 }
            let offset = t - start
            guard offset > 0, offset <= Int64(UInt32.max) else { return nil }
            var lo = 0, hi = ends.count - 1
            let target = UInt32(offset)
            while lo < hi {
                let mid = (lo + hi) / 2
                if ends[mid] < target { lo = mid + 1 } else { hi = mid }
            }
            return ends[lo] == target && lo + 1 < ends.count ? lo + 1 : nil
        }
    }

    /// Sorted by start; no two overlap.
    private(set) var runs: [Run] = []
    /// Periods in all runs.
    private(set) var count = 0

    var isEmpty: Bool { runs.isEmpty }

    /// The end of the newest completed period.
    var newestEnd: Int64? { runs.last?.end }

    /// The first run whose start is at or after `t`.
    private func firstRun(startingAtOrAfter t: Int64) -> Int {
        var lo = 0, hi = runs.count
        while lo < hi {
            let mid = (lo + hi) / 2
            if runs[mid].start < t { lo = mid + 1 } else { hi = mid }
        }
        return lo
    }

    /// The run holding instant `t`.
    private func run(containing t: Int64) -> Int? {
        let i = firstRun(startingAtOrAfter: t + 1) - 1
        return i >= 0 && runs[i].end > t ? i : nil
    }

    /// The end of the completed period that starts exactly at `start`, if there is one.
    func end(ofPeriodStartingAt start: Int64) -> Int64? {
        guard let i = run(containing: start), let k = runs[i].index(startingAt: start) else { return nil }
        return runs[i].start + Int64(runs[i].ends[k])
    }

    /// Adds the completed period `[start, end)`. False, with nothing changed, when it
    /// overlaps a period already held (the caller keeps it as a record).
    mutating func insert(start: Int64, end: Int64) -> Bool {
        guard end > start, end - start <= Int64(UInt32.max) else { return false }
        let j = firstRun(startingAtOrAfter: start)
        if j > 0, runs[j - 1].end > start { return false }
        if j < runs.count, runs[j].start < end { return false }
        count += 1
        if j > 0, runs[j - 1].end == start, end - runs[j - 1].start <= Int64(UInt32.max) {
            runs[j - 1].ends.append(UInt32(end - runs[j - 1].start))
            if j < runs.count, runs[j].start == end, runs[j].end - runs[j - 1].start <= Int64(UInt32.max) {
                let next = runs.remove(at: j)
                let shift = UInt32(next.start - runs[j - 1].start)
                runs[j - 1].ends.append(contentsOf: next.ends.lazy.map { $0 + shift })
            }
            return true
        }
        if j < runs.count, runs[j].start == end, runs[j].end - start <= Int64(UInt32.max) {
            let shift = UInt32(end - start)
            runs[j].ends = [shift] + runs[j].ends.lazy.map { $0 + shift }
            runs[j].start = start
            return true
        }
        runs.insert(Run(start: start, ends: [UInt32(end - start)]), at: j)
        return true
    }

    /// Takes out the completed period starting at `start` (a journal line about it came
    /// after its completion) and returns its end.
    mutating func remove(startingAt start: Int64) -> Int64? {
        guard let i = run(containing: start), let k = runs[i].index(startingAt: start) else { return nil }
        let run = runs[i]
        let periodEnd = run.start + Int64(run.ends[k])
        var replacement: [Run] = []
        if k > 0 { replacement.append(Run(start: run.start, ends: Array(run.ends[..<k]))) }
        if k + 1 < run.ends.count {
            let cut = run.ends[k]
            replacement.append(Run(start: periodEnd, ends: run.ends[(k + 1)...].map { $0 - cut }))
        }
        runs.replaceSubrange(i...i, with: replacement)
        count -= 1
        return periodEnd
    }

    /// Every held period, oldest first.
    func forEach(_ body: (_ start: Int64, _ end: Int64) -> Void) {
        for run in runs {
            var s = run.start
            for e in run.ends {
                let end = run.start + Int64(e)
                body(s, end)
                s = end
            }
        }
    }

    /// Rebuilds from runs (a checkpoint); nil when they are not sorted, overlap or are empty.
    init?(runs: [Run]) {
        var last = Int64.min
        for r in runs {
            guard !r.ends.isEmpty, r.start >= last, r.ends[0] > 0, zip(r.ends, r.ends.dropFirst()).allSatisfy({ $0 < $1 }) else { return nil }
            last = r.end
        }
        self.runs = runs
        self.count = runs.reduce(0) { $0 + $1.ends.count }
    }

    init() {}
}
