/// One request to a language model.
public struct ModelRequest: Sendable, Hashable {
    public var model: String
    public var messages: [Message]
    public var tools: [ToolDefinition]
    public var maxOutputTokens: Int?
    public var temperature: Double?

    public init(
        model: String, messages: [Message], tools: [ToolDefinition] = [], maxOutputTokens: Int? = nil,
        temperature: Double? = nil
    ) {
        self.model = model
        self.messages = messages
        self.tools = tools
        self.maxOutputTokens = maxOutputTokens
        self.temperature = temperature
    }
}

/// Why a model stopped generating.
public enum FinishReason: String, Sendable, Hashable, Codable {
    case stop, toolCalls, length, contentFilter, other
}

/// One event of a streamed model response.
public enum ModelEvent: Sendable, Hashable {
    /// A piece of the assistant's text.
    case textDelta(String)
    /// A tool call, complete: fragments streamed by the provider are assembled before this is emitted.
    case toolCall(ToolCall)
    /// Token usage reported by the provider (may arrive more than once; later values add up).
    case usage(Usage)
    /// The response is complete.
    case finished(FinishReason)
}

/// A folded, complete model response.
public struct ModelResponse: Sendable, Hashable {
    public var message: Message
    public var usage: Usage
    public var finishReason: FinishReason

    public init(message: Message, usage: Usage, finishReason: FinishReason) {
        self.message = message
        self.usage = usage
        self.finishReason = finishReason
    }
}

/// A language model behind some API. One required method: stream a response.
///
/// Dropping the stream cancels the request (and closes its connection).
public protocol ModelProvider: Sendable {
    /// Streams the response to `request`.
    /// - Parameter request: the conversation, tools and settings.
    /// - Returns: events ending with `.finished`; the stream throws a ``ModelProviderError`` on failure.
    func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error>
}

extension ModelProvider {
    /// Sends `request` and waits for the whole response.
    /// - Throws: whatever the stream throws, typically ``ModelProviderError``.
    public func respond(_ request: ModelRequest) async throws -> ModelResponse {
        var text = ""
        var calls: [ToolCall] = []
        var usage = Usage.zero
        var finish = FinishReason.stop
        for try await event in stream(request) {
            switch event {
            case .textDelta(let delta): text += delta
            case .toolCall(let call): calls.append(call)
            case .usage(let more): usage += more
            case .finished(let reason): finish = reason
            }
        }
        return ModelResponse(message: .assistant(text, toolCalls: calls), usage: usage, finishReason: finish)
    }
}
