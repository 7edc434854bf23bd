// A libFuzzer entry point for the schedule decoder and the journal line decoder. Not a
// SwiftPM target (it has no `main`): Fuzz/run.sh compiles it with SchedulerCore's sources
// and `-sanitize=fuzzer,address`. The first byte picks the decoder.
import Foundation

@_cdecl("LLVMFuzzerTestOneInput")
public func fuzzOneInput(_ data: UnsafePointer<UInt8>, _ size: Int) -> CInt {
    guard size > 0 else { return 0 }
    let bytes = UnsafeBufferPointer(start: data + 1, count: size - 1)
    if let bad = UTF8Position.firstInvalid(in: bytes) {
        precondition(bad.byteOffset < bytes.count)
        return 0
    }
    let text = String(decoding: bytes, as: UTF8.self)
    if data[0] & 1 == 0 {
        do {
            _ = try ScheduleDecoder.decode(text, file: "fuzz.json", now: Date(timeIntervalSince1970: 1_795_000_000))
        } catch {
            precondition(!error.errors.isEmpty, "refused without an error")
            for problem in error.problems {
                precondition(!problem.path.isEmpty || problem.line != nil, "unlocated problem: \(problem)")
            }
        }
    } else {
        let fast = JournalCodec.decodeFast(bytes)
        do {
            let entry = try JournalCodec.decode(text)
            precondition(fast == nil || fast == entry, "fast path disagrees")
            precondition((try? JournalCodec.decode(JournalCodec.encode(entry))) == entry, "round trip")
        } catch {
            precondition(fast == nil, "fast path accepts a refused line")
            if case .invalidJSON(let message) = error {
                precondition(message.contains("line ") && message.contains("column "), "unlocated: \(message)")
            }
        }
    }
    return 0
}
