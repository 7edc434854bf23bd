import Logging
import Testing
import Systemd

struct SyslogPriorityTests {
    @Test func levelsMapToSyslogPriorities() {
        let expected: [(Logger.Level, Int)] = [
            (.trace, 7), (.debug, 7), (.info, 6), (.notice, 5), (.warning, 4), (.error, 3), (.critical, 2),
        ]
        for (level, priority) in expected {
            #expect(SyslogPriority.of(level) == priority, "\(level)")
        }
    }
}
