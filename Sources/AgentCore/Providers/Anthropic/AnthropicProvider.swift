public import Foundation
public import Logging

/// Claude models behind Anthropic's Messages API, streamed.
///
/// System messages become the top-level `system` prompt; assistant tool calls become `tool_use` blocks; tool
/// results become `tool_result` blocks (with `is_error`) in a user turn, consecutive ones merged, as the API
/// requires. The key travels in `x-api-key`, never anywhere else.
///
/// ```swift
/// let claude = try AnthropicProvider()  // reads ANTHROPIC_API_KEY
/// let reply = try await claude.respond(ModelRequest(model: "claude-sonnet-4-5", messages: [.user("Hi")]))
/// ```
public struct AnthropicProvider: ModelProvider {
    /// The environment variable the key is read from when none is passed.
    public static let apiKeyVariable = "ANTHROPIC_API_KEY"
    /// The API version sent in `anthropic-version`.
    public static let apiVersion = "2023-06-01"

    /// The provider's name in errors and logs.
    public var name: String
    /// The API root that `v1/messages` is appended to.
    public var baseURL: URL
    /// The output token limit used when a request sets none (the API requires one).
    public var defaultMaxOutputTokens: Int
    /// The longest wait for the response head or for the next bytes of the stream.
    public var requestTimeout: Duration
    /// When to retry.
    public var retryPolicy: RetryPolicy
    private let apiKey: String
    private let transport: any HTTPTransport
    private let logger: Logger

    /// Creates a provider.
    /// - Parameters:
    ///   - apiKey: the key; `nil` reads `ANTHROPIC_API_KEY` from `environment`.
    ///   - environment: where a missing key is looked up.
    ///   - baseURL: the API root (default `https://api.anthropic.com`).
    ///   - defaultMaxOutputTokens: the output limit when a request sets none.
    ///   - requestTimeout: the idle timeout per request.
    ///   - transport: the HTTP transport.
    ///   - retryPolicy: when to retry.
    ///   - logger: where retries and failures are logged (never keys or headers).
    /// - Throws: ``ModelProviderError`` `missingAPIKey`, naming `ANTHROPIC_API_KEY`, when there is no key.
    public init(
        apiKey: String? = nil, environment: [String: String] = ProcessInfo.processInfo.environment,
        baseURL: URL = URL(string: "https://api.anthropic.com")!, defaultMaxOutputTokens: Int = 8192,
        requestTimeout: Duration = .seconds(600), transport: any HTTPTransport = URLSessionTransport(),
        retryPolicy: RetryPolicy = .standard, logger: Logger = Logger(label: "autotrainess.provider.anthropic")
    ) throws(ModelProviderError) {
        self.name = "anthropic"
        self.apiKey = try APIKey.resolve(
            apiKey, variable: Self.apiKeyVariable, provider: "anthropic", environment: environment)
        self.baseURL = baseURL
        self.defaultMaxOutputTokens = defaultMaxOutputTokens
        self.requestTimeout = requestTimeout
        self.retryPolicy = retryPolicy
        self.transport = transport
        self.logger = logger
    }

    /// Streams the response to `request`.
    /// - Returns: text deltas as they arrive, each tool call once its input is complete, the usage and
    ///   `.finished`; the stream throws ``ModelProviderError``.
    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        let driver = ProviderStreamDriver(
            provider: name, transport: transport, retryPolicy: retryPolicy, logger: logger, secrets: [apiKey])
        let http = HTTPRequest(
            url: baseURL.appending(path: "v1/messages"),
            headers: [
                "x-api-key": apiKey, "anthropic-version": Self.apiVersion, "Content-Type": "application/json",
                "Accept": "text/event-stream",
            ],
            body: Data(body(for: request).compactText.utf8), timeout: requestTimeout)
        return driver.stream(model: request.model, request: http) {
            ServerSentEventBodyDecoder(AnthropicStreamDecoder())
        }
    }

    /// The JSON body sent for `request`.
    public func body(for request: ModelRequest) -> JSONValue {
        var body: [String: JSONValue] = [
            "model": .string(request.model),
            "max_tokens": .number(Double(request.maxOutputTokens ?? defaultMaxOutputTokens)),
            "messages": .array(Self.turns(request.messages)),
            "stream": true,
        ]
        let system = request.messages.filter { $0.role == .system }.map(\.text).filter { !$0.isEmpty }
        if !system.isEmpty { body["system"] = .string(system.joined(separator: "\n\n")) }
        if !request.tools.isEmpty {
            body["tools"] = .array(
                request.tools.map { tool in
                    [
                        "name": .string(tool.name), "description": .string(tool.description),
                        "input_schema": tool.parameters.value,
                    ]
                })
        }
        if let temperature = request.temperature { body["temperature"] = .number(temperature) }
        return .object(body)
    }

    /// The non-system messages as alternating user/assistant turns of content blocks.
    private static func turns(_ messages: [Message]) -> [JSONValue] {
        var turns: [(role: String, blocks: [JSONValue])] = []
        for message in messages where message.role != .system {
            let role = message.role == .assistant ? "assistant" : "user"
            let blocks = blocks(of: message)
            guard !blocks.isEmpty else { continue }
            if let last = turns.last, last.role == role {
                turns[turns.count - 1].blocks += blocks
            } else {
                turns.append((role, blocks))
            }
        }
        return turns.map { ["role": .string($0.role), "content": .array($0.blocks)] }
    }

    private static func blocks(of message: Message) -> [JSONValue] {
        switch message.role {
        case .system:
            return []
        case .user:
            return message.text.isEmpty ? [] : [["type": "text", "text": .string(message.text)]]
        case .assistant:
            var blocks: [JSONValue] = message.text.isEmpty ? [] : [["type": "text", "text": .string(message.text)]]
            for call in message.toolCalls {
                // The API takes the input as an object; arguments the model wrote as invalid JSON are sent as {}.
                let input = (try? JSONValue(parsing: call.arguments)).flatMap { $0.objectValue != nil ? $0 : nil }
                blocks.append([
                    "type": "tool_use", "id": .string(call.id), "name": .string(call.name), "input": input ?? [:],
                ])
            }
            return blocks
        case .tool:
            return [
                [
                    "type": "tool_result", "tool_use_id": .string(message.toolCallID ?? ""),
                    "content": .string(message.text), "is_error": .bool(message.isError),
                ]
            ]
        }
    }
}
