/// How agent events are stored in an ``ExperimentStore``.
///
/// Kinds: `agent.message` (every system, user and assistant message as it joins the transcript; tool results are
/// stored as `agent.tool_result`), `agent.turn_started`, `agent.tool_call`, `agent.tool_denied`, `agent.tool_result`,
/// `agent.usage`, `agent.context_compacted`, `agent.finished`. Text deltas are not stored one by one: the assembled
/// assistant message is.
extension AgentEvent {
    /// The record stored for this event; `nil` for ``textDelta(_:)``.
    public var experimentRecord: ExperimentRecord? {
        switch self {
        case .turnStarted(let turn):
            ExperimentRecord(kind: "agent.turn_started", payload: ["turn": .number(Double(turn))])
        case .textDelta: nil
        case .toolCall(let call): Self.record("agent.tool_call", call)
        case .toolDenied(let call, let reason):
            ExperimentRecord(
                kind: "agent.tool_denied", payload: ["call": Self.payload(call), "reason": .string(reason)])
        case .toolResult(let result): Self.record("agent.tool_result", result)
        case .usage(let usage): Self.record("agent.usage", usage)
        case .contextCompacted(let compaction): Self.record("agent.context_compacted", compaction)
        case .finished(let outcome): Self.record("agent.finished", outcome)
        }
    }

    /// The record stored when `message` joins the transcript.
    static func messageRecord(_ message: Message) -> ExperimentRecord {
        record("agent.message", message)
    }

    private static func record(_ kind: String, _ value: some Encodable) -> ExperimentRecord {
        ExperimentRecord(kind: kind, payload: payload(value))
    }

    /// Agent values are plain structs and enums, so their JSON encoding cannot fail.
    private static func payload(_ value: some Encodable) -> JSONValue {
        (try? JSONValue(encoding: value)) ?? .null
    }
}
