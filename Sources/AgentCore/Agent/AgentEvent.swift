/// One thing that happened during an agent run, in the order it happened.
///
/// Every text, tool output and argument in an event has had the agent's known secret values redacted.
public enum AgentEvent: Sendable, Hashable {
    /// A model turn starts (1-based within this run).
    case turnStarted(turn: Int)
    /// A piece of the assistant's text, as it streams.
    case textDelta(String)
    /// The model asked for a tool call.
    case toolCall(ToolCall)
    /// The review hook denied a call; the model reads `reason` as an error result (a ``toolResult`` follows).
    case toolDenied(ToolCall, reason: String)
    /// What the model reads back for one call: the tool's output, or an error for denied and unknown calls.
    case toolResult(ToolResult)
    /// Tokens and dollars spent by the turn that just ended, with the session's running totals.
    case usage(AgentUsage)
    /// The context policy folded older turns into a summary before the next model call.
    case contextCompacted(ContextCompaction)
    /// The run ended normally; no events follow.
    case finished(AgentOutcome)
}

/// A tool call together with the output the model reads for it.
public struct ToolResult: Sendable, Hashable, Codable {
    /// The call, as the model made it (redacted).
    public var call: ToolCall
    /// What the model reads back (redacted).
    public var output: ToolOutput

    /// Creates a result.
    public init(call: ToolCall, output: ToolOutput) {
        self.call = call
        self.output = output
    }
}

/// Tokens and cost of one turn and of the whole session so far.
public struct AgentUsage: Sendable, Hashable, Codable {
    /// The turn this usage belongs to (1-based within the run).
    public var turn: Int
    /// Tokens the provider reported for this turn.
    public var turnUsage: Usage
    /// Tokens reported for every turn of the session so far.
    public var totalUsage: Usage
    /// This turn's cost in US dollars; `nil` when the model has no entry in the agent's ``PriceTable``.
    public var turnCostUSD: Double?
    /// The session's cost so far in US dollars; `nil` when the model has no price.
    public var totalCostUSD: Double?

    /// Creates a usage report.
    public init(turn: Int, turnUsage: Usage, totalUsage: Usage, turnCostUSD: Double?, totalCostUSD: Double?) {
        self.turn = turn
        self.turnUsage = turnUsage
        self.totalUsage = totalUsage
        self.turnCostUSD = turnCostUSD
        self.totalCostUSD = totalCostUSD
    }
}

/// A limit of ``AgentLimits`` that a run reached.
public enum BudgetLimit: Sendable, Hashable, Codable {
    /// The run made `limit` model turns.
    case turns(limit: Int)
    /// The session spent `used` tokens, at least its limit of `limit`.
    case tokens(limit: Int, used: Int)
    /// The session spent `spent` US dollars, at least its limit of `limit`.
    case costUSD(limit: Double, spent: Double)
}

/// Why a run ended.
public enum AgentStopReason: Sendable, Hashable, Codable {
    /// The model answered without asking for a tool.
    case completed
    /// The model stopped for another reason (output length, content filter) without asking for a tool.
    case modelStopped(FinishReason)
    /// A limit was reached before the next model call; the transcript is complete and the run can be continued
    /// with higher limits.
    case budgetExhausted(BudgetLimit)
}

/// How a run ended: the reason, the assistant's last text and what the session has spent.
public struct AgentOutcome: Sendable, Hashable, Codable {
    /// Why the run ended.
    public var reason: AgentStopReason
    /// The text of the last assistant message of this run (empty when there was none).
    public var finalText: String
    /// Model turns made by this run.
    public var turns: Int
    /// Tokens reported for the whole session.
    public var totalUsage: Usage
    /// The session's cost in US dollars; `nil` when the model has no price.
    public var totalCostUSD: Double?

    /// Creates an outcome.
    public init(reason: AgentStopReason, finalText: String, turns: Int, totalUsage: Usage, totalCostUSD: Double?) {
        self.reason = reason
        self.finalText = finalText
        self.turns = turns
        self.totalUsage = totalUsage
        self.totalCostUSD = totalCostUSD
    }
}

extension BudgetLimit: CustomStringConvertible {
    /// The limit in words, for example `$5.02 of $5.0`.
    public var description: String {
        switch self {
        case .turns(let limit): "\(limit) turns"
        case .tokens(let limit, let used): "\(used) of \(limit) tokens"
        case .costUSD(let limit, let spent): "$\(Self.dollars(spent)) of $\(Self.dollars(limit))"
        }
    }

    static func dollars(_ value: Double) -> String {
        let cents = (value * 10_000).rounded() / 10_000
        return "\(cents)"
    }
}

extension AgentStopReason: CustomStringConvertible {
    /// The reason in words, for example `budget exhausted: 10 turns`.
    public var description: String {
        switch self {
        case .completed: "completed"
        case .modelStopped(let reason): "model stopped (\(reason.rawValue))"
        case .budgetExhausted(let limit): "budget exhausted: \(limit)"
        }
    }
}

extension AgentEvent: CustomStringConvertible {
    /// A one-line rendering for logs and examples.
    public var description: String {
        switch self {
        case .turnStarted(let turn): "turn \(turn)"
        case .textDelta(let text): "text: \(text)"
        case .toolCall(let call): "call \(call.name) \(call.arguments)"
        case .toolDenied(let call, let reason): "denied \(call.name): \(reason)"
        case .toolResult(let result):
            "\(result.output.isError ? "error" : "result") \(result.call.name): \(result.output.content)"
        case .usage(let usage):
            "usage: \(usage.totalUsage.totalTokens) tokens"
                + (usage.totalCostUSD.map { ", $\(BudgetLimit.dollars($0))" } ?? "")
        case .contextCompacted(let compaction):
            "context compacted: \(compaction.foldedMessages) messages folded, "
                + "\(compaction.tokensBefore) -> \(compaction.tokensAfter) tokens"
        case .finished(let outcome): "finished: \(outcome.reason)"
        }
    }
}
