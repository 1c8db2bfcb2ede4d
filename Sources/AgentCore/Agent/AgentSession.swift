import Synchronization

/// The conversation an agent works in: the full transcript, the (possibly compacted) context the model sees next,
/// and what the session has spent. Pass the same session to ``Agent/run(_:in:)`` again to continue the conversation.
///
/// Reading is synchronous and safe from any thread; one run at a time may write to a session (after cancelling a
/// run, ``waitUntilIdle()`` tells when it has let go).
///
/// ```swift
/// let session = AgentSession()
/// for try await event in agent.run("Plan the first iteration", in: session) { print(event) }
/// for try await event in agent.run("Now build the data", in: session) { print(event) }
/// print(session.messages.count, session.totalUsage.totalTokens)
/// ```
public final class AgentSession: Sendable {
    struct State {
        var messages: [Message]
        var context: [Message]
        var measured: MeasuredTokens?
        var totalUsage = Usage.zero
        var totalCostUSD: Double? = 0
        var running = false
        var idleWaiters: [CheckedContinuation<Void, Never>] = []
    }

    private let state: Mutex<State>

    /// Creates a session, optionally from an earlier transcript (which then also becomes the context).
    /// - Parameter messages: the transcript to continue; empty for a new conversation.
    public init(messages: [Message] = []) {
        state = Mutex(State(messages: messages, context: messages))
    }

    /// Every message of the conversation, in order, never compacted (secrets redacted).
    public var messages: [Message] { state.withLock { $0.messages } }

    /// The messages the model will be sent next: the transcript after the context policy folded older turns.
    public var context: [Message] { state.withLock { $0.context } }

    /// Tokens reported by the provider for every turn of the session.
    public var totalUsage: Usage { state.withLock { $0.totalUsage } }

    /// The session's cost in US dollars; `nil` once a turn ran on a model without a price.
    public var totalCostUSD: Double? { state.withLock { $0.totalCostUSD } }

    /// Whether a run is in progress.
    public var isRunning: Bool { state.withLock { $0.running } }

    func begin() throws(AgentError) {
        try state.withLock { (state: inout State) throws(AgentError) in
            guard !state.running else { throw AgentError.sessionBusy }
            state.running = true
        }
    }

    /// Returns once no run is in progress: after a cancelled run has appended its last results, for example.
    public func waitUntilIdle() async {
        await withCheckedContinuation { (waiter: CheckedContinuation<Void, Never>) in
            let idle = state.withLock {
                if !$0.running { return true }
                $0.idleWaiters.append(waiter)
                return false
            }
            if idle { waiter.resume() }
        }
    }

    func end() {
        let waiters = state.withLock { state in
            state.running = false
            let waiters = state.idleWaiters
            state.idleWaiters = []
            return waiters
        }
        for waiter in waiters { waiter.resume() }
    }

    func append(_ message: Message) {
        state.withLock {
            $0.messages.append(message)
            $0.context.append(message)
        }
    }

    /// The context with what the provider measured of it, for the context policy.
    var conversation: ConversationContext {
        state.withLock { ConversationContext(messages: $0.context, measured: $0.measured) }
    }

    func replaceContext(_ context: [Message]) {
        state.withLock {
            $0.context = context
            $0.measured = nil
        }
    }

    /// Adds one turn's usage and cost. Call after appending the turn's assistant message: a reported prompt size
    /// plus output then measures the whole context.
    func record(turnUsage: Usage, turnCostUSD: Double?) -> (usage: Usage, costUSD: Double?) {
        state.withLock {
            $0.totalUsage += turnUsage
            $0.totalCostUSD = $0.totalCostUSD.flatMap { total in turnCostUSD.map { total + $0 } }
            if turnUsage.inputTokens > 0 {
                $0.measured = MeasuredTokens(messageCount: $0.context.count, tokens: turnUsage.totalTokens)
            }
            return ($0.totalUsage, $0.totalCostUSD)
        }
    }
}
