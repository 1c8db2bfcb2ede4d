public import AgentCore
import Synchronization

/// A `ModelProvider` that runs `action` once, just before answering the request that follows the first
/// `afterRequests` (to move a clock, kill a session or tamper with a file at a chosen point of a scripted run).
public final class InterruptingProvider: ModelProvider {
    /// The provider that answers.
    public let base: any ModelProvider
    /// Requests answered before `action` runs.
    public let afterRequests: Int
    private let action: @Sendable () -> Void
    private let count = Mutex(0)

    /// Wraps `base`.
    public init(base: any ModelProvider, afterRequests: Int, action: @escaping @Sendable () -> Void) {
        self.base = base
        self.afterRequests = afterRequests
        self.action = action
    }

    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let number = count.withLock { count in
            count += 1
            return count
        }
        if number == afterRequests + 1 { action() }
        return base.stream(request)
    }
}
