import Hummingbird
import NIOCore

/// Request context that keeps the connection's channel, so the simulator can
/// close it to simulate a dropped connection.
struct SimulatorRequestContext: RequestContext {
    var coreContext: CoreRequestContextStorage
    let channel: any Channel

    init(source: ApplicationRequestContextSource) {
        self.coreContext = .init(source: source)
        self.channel = source.channel
    }
}
