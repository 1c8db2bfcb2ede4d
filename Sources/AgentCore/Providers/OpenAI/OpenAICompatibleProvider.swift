import Foundation
import Logging

/// A model behind an OpenAI-style Chat Completions API: OpenAI, DeepSeek, vLLM, SGLang, llama.cpp's server,
/// LlamaFactory's `api`, and any other server that speaks it.
///
/// Requests stream (`stream: true`, with `stream_options.include_usage` so the last chunk reports usage); tool
/// call fragments are assembled per index into complete ``ToolCall``s before they are emitted.
///
/// ```swift
/// let local = OpenAICompatibleProvider(baseURL: URL(string: "http://127.0.0.1:8000/v1")!)
/// let reply = try await local.respond(ModelRequest(model: "qwen", messages: [.user("Hi")]))
/// ```
public struct OpenAICompatibleProvider: ModelProvider {
    /// The provider's name in errors and logs (`openai`, `deepseek`, `openai-compatible`, ...).
    public var name: String
    /// The API root that `chat/completions` is appended to, e.g. `https://api.openai.com/v1`.
    public var baseURL: URL
    /// The request field that carries ``ModelRequest/maxOutputTokens``: `max_tokens` for most servers,
    /// `max_completion_tokens` for OpenAI's current models.
    public var maxTokensField: String
    /// Extra header fields sent with every request (organisation, project, ...).
    public var headers: [String: String]
    /// The longest wait for the response head or for the next bytes of the stream.
    public var requestTimeout: Duration
    /// When to retry.
    public var retryPolicy: RetryPolicy
    private let apiKey: String?
    private let transport: any HTTPTransport
    private let logger: Logger

    /// Creates a provider.
    /// - Parameters:
    ///   - name: the provider's name in errors and logs.
    ///   - baseURL: the API root, ending before `chat/completions` (usually in `/v1`).
    ///   - apiKey: sent as `Authorization: Bearer`; `nil` for servers that need none.
    ///   - maxTokensField: the field for the output token limit.
    ///   - headers: extra header fields.
    ///   - requestTimeout: the idle timeout per request.
    ///   - transport: the HTTP transport.
    ///   - retryPolicy: when to retry.
    ///   - logger: where retries and failures are logged (never keys or headers).
    public init(
        name: String = "openai-compatible", baseURL: URL, apiKey: String? = nil, maxTokensField: String = "max_tokens",
        headers: [String: String] = [:], requestTimeout: Duration = .seconds(600),
        transport: any HTTPTransport = URLSessionTransport(), retryPolicy: RetryPolicy = .standard,
        logger: Logger = Logger(label: "autotrainess.provider.openai")
    ) {
        self.name = name
        self.baseURL = baseURL
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.maxTokensField = maxTokensField
        self.headers = headers
        self.requestTimeout = requestTimeout
        self.retryPolicy = retryPolicy
        self.transport = transport
        self.logger = logger
    }

    /// Streams the response to `request`.
    /// - Returns: text deltas as they arrive, then the assembled tool calls, the usage and `.finished`;
    ///   the stream throws ``ModelProviderError``.
    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let driver = ProviderStreamDriver(
            provider: name, transport: transport, retryPolicy: retryPolicy, logger: logger,
            secrets: apiKey.map { [$0] } ?? [])
        return driver.stream(model: request.model, request: httpRequest(for: request)) { OpenAIStreamDecoder() }
    }

    /// The JSON body sent for `request`.
    public func body(for request: ModelRequest) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "messages": .array(request.messages.map(Self.encode)),
            "stream": true,
            "stream_options": ["include_usage": true],
        ]
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map { tool in
                    [
                        "type": "function",
                        "function": [
                            "name": .string(tool.name), "description": .string(tool.description),
                            "parameters": tool.parameters.value,
                        ],
                    ]
                })
        }
        if let limit = request.maxOutputTokens { body[maxTokensField] = .number(Double(limit)) }
        if let temperature = request.temperature { body["temperature"] = .number(temperature) }
        return .object(body)
    }

    private func httpRequest(for request: ModelRequest) -> HTTPRequest {
        var fields = headers
        fields["Content-Type"] = "application/json"
        fields["Accept"] = "text/event-stream"
        if let apiKey { fields["Authorization"] = "Bearer \(apiKey)" }
        return HTTPRequest(
            url: baseURL.appending(path: "chat/completions"), headers: fields,
            body: Data(body(for: request).compactText.utf8), timeout: requestTimeout)
    }

    /// A message in Chat Completions form. Tool results carry no error flag in this API; their text says it.
    private static func encode(_ message: Message) -> JSONValue {
        switch message.role {
        case .system, .user:
            return ["role": .string(message.role.rawValue), "content": .string(message.text)]
        case .assistant:
            var encoded: [String: JSONValue] = [
                "role": "assistant",
                "content": message.text.isEmpty && !message.toolCalls.isEmpty ? .null : .string(message.text),
            ]
            if !message.toolCalls.isEmpty {
                encoded["tool_calls"] = .array(
                    message.toolCalls.map { call in
                        [
                            "id": .string(call.id), "type": "function",
                            "function": ["name": .string(call.name), "arguments": .string(call.arguments)],
                        ]
                    })
            }
            return .object(encoded)
        case .tool:
            return [
                "role": "tool", "tool_call_id": .string(message.toolCallID ?? ""), "content": .string(message.text),
            ]
        }
    }
}
