import Foundation
import SchedulerCore

extension WakeQueue {
    mutating func peekValue() -> Date? { peek()?.at }
    mutating func peekEntry() -> (at: Date, key: Key)? { peek() }
}
