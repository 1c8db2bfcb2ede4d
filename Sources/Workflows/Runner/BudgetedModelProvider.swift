public import AgentCore
import Foundation

/// A model provider that shows the agent the budget and the run's status on every turn, and stops the run when the
/// budget is spent.
///
/// Before each model call it appends the budget line (and the status line, when given) to the system message of
/// the request (the session's transcript is not changed), and throws ``BudgetExhaustedError`` instead of calling the
/// model once the budget is exhausted (``RunawayStopError`` once `stopReason` gives one).
public struct BudgetedModelProvider: ModelProvider {
    /// The provider that answers.
    public let base: any ModelProvider
    /// The run's budget.
    public let budget: BudgetClock
    /// Extra status lines shown with the budget (e.g. stage, iteration, current best).
    public let status: (@Sendable () async -> String)?
    /// Why the run must stop before this model call (e.g. a ``RunawayLimits`` violation), or `nil`.
    public let stopReason: (@Sendable () async -> String?)?

    /// Wraps `base`.
    public init(
        base: any ModelProvider, budget: BudgetClock, status: (@Sendable () async -> String)? = nil,
        stopReason: (@Sendable () async -> String?)? = nil
    ) {
        self.base = base
        self.budget = budget
        self.status = status
        self.stopReason = stopReason
    }

    /// Streams the answer of `base` to `request`, with the budget and status lines added to its system message.
    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        .producing { [budget, stopReason, status, base] continuation in
            let snapshot = await budget.snapshot()
            if let exhaustion = snapshot.exhaustion { throw BudgetExhaustedError(reason: exhaustion) }
            if let reason = await stopReason?() { throw RunawayStopError(reason: reason) }
            var lines = [snapshot.summary]
            if let status { lines.append(await status()) }
            var annotated = request
            annotated.messages = Self.annotate(request.messages, with: lines.joined(separator: "\n"))
            for try await event in base.stream(annotated) { continuation.yield(event) }
        }
    }

    static func annotate(_ messages: [Message], with text: String) -> [Message] {
        var messages = messages
        if let first = messages.first, first.role == .system {
            messages[0].text = first.text + "\n\n" + text
        } else {
            messages.insert(.system(text), at: 0)
        }
        return messages
    }
}

/// The run's budget is spent: the agent stops, and the workflow ends cleanly with `final_model/` as it is.
public struct BudgetExhaustedError: AgentStoppingError, Hashable, CustomStringConvertible {
    /// Which limit was reached.
    public var reason: String

    /// Creates the error.
    public init(reason: String) { self.reason = reason }

    public var description: String { "The run's budget is exhausted: \(reason)." }
}
