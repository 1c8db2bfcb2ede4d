public import Foundation
public import Logging

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
    /// When to ask the server to stream.
    public enum Streaming: String, Sendable, Hashable, Codable {
        /// Always stream (`stream: true`).
        case always
        /// Stream unless the request offers tools. For servers that cannot stream tool calls: LlamaFactory 0.9.5's
        /// `api` answers a streamed request with tools with `200` and then drops the connection.
        case unlessTools
        /// Never stream: the server answers with one JSON completion, emitted as the same events at the end.
        case never
    }

    /// The provider's name in errors and logs (`openai`, `deepseek`, `openai-compatible`, ...).
    public var name: String
    /// The API root that `chat/completions` is appended to, e.g. `https://api.openai.com/v1`.
    public var baseURL: URL
    /// The request field that carries ``ModelRequest/maxOutputTokens``: `max_tokens` for most servers,
    /// `max_completion_tokens` for OpenAI's current models.
    public var maxTokensField: String
    /// When to ask the server to stream.
    public var streaming: Streaming
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
    ///   - streaming: when to ask the server to stream (default always).
    ///   - headers: extra header fields.
    ///   - requestTimeout: the idle timeout per request.
    ///   - transport: the HTTP transport.
    ///   - retryPolicy: when to retry.
    ///   - logger: where retries and failures are logged (never keys or headers).
    public init(
        name: String = "openai-compatible", baseURL: URL, apiKey: String? = nil, maxTokensField: String = "max_tokens",
        streaming: Streaming = .always, headers: [String: String] = [:], requestTimeout: Duration = .seconds(600),
        transport: any HTTPTransport = URLSessionTransport(), retryPolicy: RetryPolicy = .standard,
        logger: Logger = Logger(label: "autotrainess.provider.openai")
    ) {
        self.name = name
        self.baseURL = baseURL
        self.apiKey = apiKey.flatMap { $0.isEmpty ? nil : $0 }
        self.maxTokensField = maxTokensField
        self.streaming = streaming
        self.headers = headers
        self.requestTimeout = requestTimeout
        self.retryPolicy = retryPolicy
        self.transport = transport
        self.logger = logger
    }

    /// Streams the response to `request`.
    /// - Returns: text deltas as they arrive, then the assembled tool calls, the usage and `.finished`;
    ///   the stream throws ``ModelProviderError``. Without streaming, all events arrive at the end.
    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let driver = ProviderStreamDriver(
            provider: name, transport: transport, retryPolicy: retryPolicy, logger: logger,
            secrets: apiKey.map { [$0] } ?? [])
        if streams(request) {
            return driver.stream(model: request.model, request: httpRequest(for: request)) {
                ServerSentEventBodyDecoder(OpenAIStreamDecoder())
            }
        }
        return driver.stream(model: request.model, request: httpRequest(for: request)) { OpenAICompletionDecoder() }
    }

    private func streams(_ request: ModelRequest) -> Bool {
        switch streaming {
        case .always: true
        case .unlessTools: request.tools.isEmpty
        case .never: false
        }
    }

    /// The JSON body sent for `request`.
    public func body(for request: ModelRequest) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "messages": .array(request.messages.map(Self.encode)),
            "stream": .bool(streams(request)),
        ]
        if streams(request) { body["stream_options"] = ["include_usage": true] }
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
        fields["Accept"] = streams(request) ? "text/event-stream" : "application/json"
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
