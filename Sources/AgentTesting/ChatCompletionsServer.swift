public import AgentCore
public import Foundation
import Synchronization

/// Serves a ``ModelProvider`` (typically a ``ScriptedModelProvider``) as an OpenAI-compatible Chat Completions
/// endpoint on 127.0.0.1, so that a whole run can be driven through the real ``OpenAICompatibleProvider``, the real
/// `URLSessionTransport` and a real socket: each `POST …/chat/completions` is decoded into a ``ModelRequest`` (the
/// messages, tool calls and tool results as the client sent them), answered by the provider, and streamed back as
/// server-sent events the way OpenAI streams them: text in pieces, each tool call announced with its id and name
/// and its arguments in several fragments, usage in the last chunk, then `[DONE]`.
///
/// ```swift
/// let server = try ChatCompletionsServer(serving: ScriptedModelProvider(respond: myModel))
/// let provider = try ProviderFactory.make(
///     provider: "openai-compatible", model: "scripted", baseURL: server.baseURL)
/// ```
public final class ChatCompletionsServer: Sendable {
    private let server: LoopbackHTTPServer
    private let decoded = DecodedRequests()

    /// The API root to give a client, e.g. `http://127.0.0.1:54321/v1`.
    public var baseURL: URL { server.baseURL.appendingPathComponent("v1") }

    /// The requests received, decoded, in order.
    public var requests: [ModelRequest] { decoded.all }

    /// The raw HTTP requests received, in order.
    public var httpRequests: [RecordedRequest] { server.requests }

    /// Starts serving `provider`.
    /// - Parameters:
    ///   - provider: answers each request.
    ///   - lifetime: how long the server accepts connections (a whole run: set it above the run's budget).
    ///   - fragmentSize: the characters per streamed text piece and tool-argument fragment.
    public init(serving provider: any ModelProvider, lifetime: Duration = .seconds(3600), fragmentSize: Int = 24) throws {
        let decoded = decoded
        server = try LoopbackHTTPServer(lifetime: lifetime) { http, _ in
            guard http.method == "POST", http.path.hasSuffix("/chat/completions") else {
                return .text(#"{"error":{"message":"not found: \#(http.path)"}}"#, status: 404)
            }
            let request: ModelRequest
            do {
                request = try Self.modelRequest(from: http.json)
            } catch {
                return .text(#"{"error":{"message":"bad request: \#(error)"}}"#, status: 400)
            }
            decoded.append(request)
            let events = BlockingCollector.collect(provider.stream(request))
            switch events {
            case .success(let events):
                return ScriptedResponse(
                    status: 200,
                    headers: ["Content-Type": "text/event-stream; charset=utf-8", "Cache-Control": "no-cache"],
                    body: Array(Self.eventStream(events, model: request.model, fragmentSize: fragmentSize).utf8),
                    chunkSize: 512)
            case .failure(let error):
                let message = JSONValue.string("\(error)").compactText
                return .text(#"{"error":{"message":\#(message)}}"#, status: 500)
            }
        }
    }

    /// Stops accepting connections.
    public func stop() { server.stop() }

    /// A Chat Completions request body as a ``ModelRequest``.
    static func modelRequest(from body: JSONValue) throws -> ModelRequest {
        guard let model = body["model"]?.stringValue, let messages = body["messages"]?.arrayValue else {
            throw LoopbackError("the body needs 'model' and 'messages'")
        }
        func text(_ content: JSONValue?) -> String {
            if let string = content?.stringValue { return string }
            return (content?.arrayValue ?? []).compactMap { $0["text"]?.stringValue }.joined()
        }
        let decodedMessages = try messages.enumerated().map { index, message -> Message in
            guard let role = message["role"]?.stringValue.flatMap(Role.init(rawValue:)) else {
                throw LoopbackError("messages[\(index)] has no known 'role'")
            }
            let calls = (message["tool_calls"]?.arrayValue ?? []).map { call in
                ToolCall(
                    id: call["id"]?.stringValue ?? "", name: call["function"]?["name"]?.stringValue ?? "",
                    arguments: call["function"]?["arguments"]?.stringValue ?? "")
            }
            return Message(
                role: role, text: text(message["content"]), toolCalls: calls,
                toolCallID: message["tool_call_id"]?.stringValue)
        }
        let tools = (body["tools"]?.arrayValue ?? []).compactMap { tool -> ToolDefinition? in
            guard let function = tool["function"], let name = function["name"]?.stringValue else { return nil }
            let schema = (try? function["parameters"]?.decode(as: JSONSchema.self)) ?? JSONSchema.object(properties: [:])
            return ToolDefinition(name: name, description: function["description"]?.stringValue ?? "", parameters: schema)
        }
        return ModelRequest(
            model: model, messages: decodedMessages, tools: tools,
            maxOutputTokens: (body["max_completion_tokens"] ?? body["max_tokens"])?.intValue,
            temperature: body["temperature"]?.doubleValue)
    }

    /// `events` as an OpenAI chunk stream.
    static func eventStream(_ events: [ModelEvent], model: String, fragmentSize: Int) -> String {
        var chunks: [JSONValue] = []
        func chunk(_ delta: JSONValue, finish: String? = nil, usage: JSONValue = .null) {
            chunks.append([
                "id": "chatcmpl-loopback", "object": "chat.completion.chunk", "model": .string(model),
                "choices": usage == .null
                    ? [["index": 0, "delta": delta, "finish_reason": finish.map(JSONValue.string) ?? .null]] : [],
                "usage": usage,
            ])
        }
        func pieces(_ text: String) -> [String] {
            var parts: [String] = []
            var rest = Substring(text)
            while !rest.isEmpty {
                parts.append(String(rest.prefix(max(1, fragmentSize))))
                rest = rest.dropFirst(max(1, fragmentSize))
            }
            return parts
        }
        chunk(["role": "assistant", "content": .null])
        var toolIndex = 0
        var usage: Usage?
        for event in events {
            switch event {
            case .textDelta(let text):
                for piece in pieces(text) { chunk(["content": .string(piece)]) }
            case .toolCall(let call):
                chunk([
                    "tool_calls": [
                        [
                            "index": .number(Double(toolIndex)), "id": .string(call.id), "type": "function",
                            "function": ["name": .string(call.name), "arguments": ""],
                        ]
                    ]
                ])
                for piece in pieces(call.arguments) {
                    chunk(["tool_calls": [["index": .number(Double(toolIndex)), "function": ["arguments": .string(piece)]]]])
                }
                toolIndex += 1
            case .usage(let more):
                usage = (usage ?? .zero) + more
            case .finished(let reason):
                let finish: String
                switch reason {
                case .toolCalls: finish = "tool_calls"
                case .length: finish = "length"
                case .contentFilter: finish = "content_filter"
                case .stop, .other: finish = "stop"
                }
                chunk([:], finish: finish)
            }
        }
        let reported = usage ?? .zero
        chunk(
            [:],
            usage: [
                "prompt_tokens": .number(Double(reported.inputTokens)),
                "completion_tokens": .number(Double(reported.outputTokens)),
                "total_tokens": .number(Double(reported.inputTokens + reported.outputTokens)),
            ])
        return chunks.map { "data: \($0.compactText)\n\n" }.joined() + "data: [DONE]\n\n"
    }
}

/// The requests a server decoded.
private final class DecodedRequests: Sendable {
    private let requests = Mutex<[ModelRequest]>([])
    func append(_ request: ModelRequest) { requests.withLock { $0.append(request) } }
    var all: [ModelRequest] { requests.withLock { $0 } }
}

/// Runs an async stream to its end from a thread that may block (the loopback server's own thread).
private enum BlockingCollector {
    static func collect(_ stream: AsyncThrowingStream<ModelEvent, any Error>) -> Result<[ModelEvent], any Error> {
        let result = Mutex<Result<[ModelEvent], any Error>?>(nil)
        let done = DispatchSemaphore(value: 0)
        Task {
            var events: [ModelEvent] = []
            do {
                for try await event in stream { events.append(event) }
                result.withLock { $0 = .success(events) }
            } catch {
                result.withLock { $0 = .failure(error) }
            }
            done.signal()
        }
        done.wait()
        return result.withLock { $0 } ?? .success([])
    }
}
