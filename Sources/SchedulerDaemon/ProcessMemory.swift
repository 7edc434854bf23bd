#if canImport(Glibc)
import Glibc
#endif

/// The process's heap, as far as the daemon manages it.
enum ProcessMemory {
    /// glibc's `malloc_trim`, looked up at run time (Swift's Glibc module does not export
    /// `<malloc.h>`); nil on another C library.
    private static let mallocTrim: (@convention(c) (Int) -> Int32)? = {
        #if canImport(Glibc)
        guard let symbol = dlsym(UnsafeMutableRawPointer(bitPattern: 0), "malloc_trim") else { return nil }
        return unsafeBitCast(symbol, to: (@convention(c) (Int) -> Int32).self)
        #else
        return nil
        #endif
    }()

    /// Gives pages the allocator holds free back to the kernel: after the start-up's replay
    /// and schedule decoding much of the heap is free but still resident.
    static func returnFreePages() {
        _ = mallocTrim?(0)
    }
}
