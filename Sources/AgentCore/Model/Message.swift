/// Who wrote a message in a transcript.
public enum Role: String, Sendable, Hashable, Codable {
    case system, user, assistant, tool
}

/// One message of a conversation with a model.
///
/// Assistant messages may carry tool calls; tool messages answer one call, by id.
public struct Message: Sendable, Hashable, Codable {
    public var role: Role
    public var text: String
    /// Calls the assistant asked for in this turn (assistant messages only).
    public var toolCalls: [ToolCall]
    /// The call this message answers (tool messages only).
    public var toolCallID: String?
    /// Whether the tool result is an error the model should react to (tool messages only).
    public var isError: Bool

    public init(role: Role, text: String, toolCalls: [ToolCall] = [], toolCallID: String? = nil, isError: Bool = false)
    {
        self.role = role
        self.text = text
        self.toolCalls = toolCalls
        self.toolCallID = toolCallID
        self.isError = isError
    }

    public static func system(_ text: String) -> Message { Message(role: .system, text: text) }
    public static func user(_ text: String) -> Message { Message(role: .user, text: text) }
    public static func assistant(_ text: String, toolCalls: [ToolCall] = []) -> Message {
        Message(role: .assistant, text: text, toolCalls: toolCalls)
    }
    public static func toolResult(callID: String, _ output: ToolOutput) -> Message {
        Message(role: .tool, text: output.content, toolCallID: callID, isError: output.isError)
    }
}

/// A request from the model to run one tool.
public struct ToolCall: Sendable, Hashable, Codable {
    /// The provider's id for the call; tool results refer to it.
    public var id: String
    public var name: String
    /// The arguments exactly as the model wrote them (JSON text, possibly invalid).
    public var arguments: String

    public init(id: String, name: String, arguments: String) {
        self.id = id
        self.name = name
        self.arguments = arguments
    }
}

/// What a model is told about a tool.
public struct ToolDefinition: Sendable, Hashable, Codable {
    public var name: String
    public var description: String
    public var parameters: JSONSchema

    public init(name: String, description: String, parameters: JSONSchema) {
        self.name = name
        self.description = description
        self.parameters = parameters
    }
}
