import Testing
@testable import Systemd

struct NotifyMessageTests {
    @Test func wireFormat() {
        #expect(NotifyMessage.ready(status: nil) == "READY=1")
        #expect(NotifyMessage.ready(status: "ok") == "READY=1\nSTATUS=ok")
        #expect(NotifyMessage.status("a\r\nb\tc") == "STATUS=a  b c")
        #expect(NotifyMessage.reloading(monotonicMicroseconds: 123) == "RELOADING=1\nMONOTONIC_USEC=123")
        #expect(NotifyMessage.extendTimeout(.seconds(90)) == "EXTEND_TIMEOUT_USEC=90000000")
    }

    @Test func microsecondsClampAndTruncate() {
        #expect(NotifyMessage.microseconds(.nanoseconds(1_999)) == 1)
        #expect(NotifyMessage.microseconds(.seconds(-3)) == 0)
        #expect(NotifyMessage.microseconds(.zero) == 0)
        #expect(NotifyMessage.microseconds(.seconds(Int64.max)) == UInt64.max - 1)
    }
}
