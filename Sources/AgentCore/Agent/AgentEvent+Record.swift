/// The records an agent run stores, one type per kind.
///
/// Every system, user and assistant message is stored as it joins the transcript (`agent.message`; tool results are
/// stored as `agent.tool_result`). Text deltas are not stored one by one: the assembled assistant message is.
public enum AgentRecord {
    /// `agent.message`: a message joined the transcript.
    public struct MessageAdded: ValueRecord {
        public static let kind = "agent.message"
        public var value: Message
        public init(_ value: Message) { self.value = value }
    }

    /// `agent.turn_started`: a model turn started.
    public struct TurnStarted: RunRecord {
        public static let kind = "agent.turn_started"
        /// 1-based within the session.
        public var turn: Int
        public init(turn: Int) { self.turn = turn }
    }

    /// `agent.tool_call`: the model asked for a tool call.
    public struct ToolCalled: ValueRecord {
        public static let kind = "agent.tool_call"
        public var value: ToolCall
        public init(_ value: ToolCall) { self.value = value }
    }

    /// `agent.tool_denied`: the review hook denied a call.
    public struct ToolDenied: RunRecord {
        public static let kind = "agent.tool_denied"
        public var call: ToolCall
        public var reason: String
        public init(call: ToolCall, reason: String) {
            self.call = call
            self.reason = reason
        }
    }

    /// `agent.tool_result`: what the model read back for a call.
    public struct ToolReturned: ValueRecord {
        public static let kind = "agent.tool_result"
        public var value: ToolResult
        public init(_ value: ToolResult) { self.value = value }
    }

    /// `agent.usage`: tokens and dollars of a turn and of the session so far.
    public struct UsageReported: ValueRecord {
        public static let kind = "agent.usage"
        public var value: AgentUsage
        public init(_ value: AgentUsage) { self.value = value }
    }

    /// `agent.context_compacted`: older turns were folded into a summary.
    public struct ContextCompacted: ValueRecord {
        public static let kind = "agent.context_compacted"
        public var value: ContextCompaction
        public init(_ value: ContextCompaction) { self.value = value }
    }

    /// `agent.finished`: the session ended normally.
    public struct Finished: ValueRecord {
        public static let kind = "agent.finished"
        public var value: AgentOutcome
        public init(_ value: AgentOutcome) { self.value = value }
    }

    /// Every agent record type.
    public static let types: [any RunRecord.Type] = [
        MessageAdded.self, TurnStarted.self, ToolCalled.self, ToolDenied.self, ToolReturned.self,
        UsageReported.self, ContextCompacted.self, Finished.self,
    ]
}

extension AgentEvent {
    /// The record stored for this event; `nil` for ``textDelta(_:)``.
    public var experimentRecord: ExperimentRecord? {
        switch self {
        case .turnStarted(let turn): Self.record(AgentRecord.TurnStarted(turn: turn))
        case .textDelta: nil
        case .toolCall(let call): Self.record(AgentRecord.ToolCalled(call))
        case .toolDenied(let call, let reason): Self.record(AgentRecord.ToolDenied(call: call, reason: reason))
        case .toolResult(let result): Self.record(AgentRecord.ToolReturned(result))
        case .usage(let usage): Self.record(AgentRecord.UsageReported(usage))
        case .contextCompacted(let compaction): Self.record(AgentRecord.ContextCompacted(compaction))
        case .finished(let outcome): Self.record(AgentRecord.Finished(outcome))
        }
    }

    /// The record stored when `message` joins the transcript.
    static func messageRecord(_ message: Message) -> ExperimentRecord {
        record(AgentRecord.MessageAdded(message))
    }

    /// Agent values are plain structs and enums, so their JSON encoding cannot fail.
    private static func record(_ value: some RunRecord) -> ExperimentRecord {
        (try? ExperimentRecord(value)) ?? ExperimentRecord(kind: type(of: value).kind, payload: .null)
    }
}
