/// Decodes Chat Completions stream chunks: text deltas, tool-call fragments by index, finish reason and usage.
struct OpenAIStreamDecoder: ProviderStreamDecoder {
    private struct PartialCall {
        var id = ""
        var name = ""
        var arguments = ""
    }

    private(set) var isComplete = false
    private var calls: [Int: PartialCall] = [:]
    private var finishReason: FinishReason?
    private var usage: Usage?
    private var chunks = 0

    mutating func decode(_ event: ServerSentEvent) throws -> [ModelEvent] {
        if event.isDone {
            isComplete = true
            return []
        }
        chunks += 1
        guard let chunk = try? JSONValue(parsing: event.data), chunk.objectValue != nil else {
            throw StreamFailure.malformed("stream chunk \(chunks) is not a JSON object: \(event.data.prefix(200))")
        }
        if let error = chunk["error"], error != .null {
            throw StreamFailure(
                code: .server, detail: "the API sent an error in the stream",
                apiMessage: error["message"]?.stringValue ?? error.stringValue ?? error.compactText)
        }
        if let reported = chunk["usage"], reported != .null {
            usage = Self.usage(from: reported)
        }
        var events: [ModelEvent] = []
        for choice in chunk["choices"]?.arrayValue ?? [] where (choice["index"]?.intValue ?? 0) == 0 {
            if let text = choice["delta"]?["content"]?.stringValue, !text.isEmpty {
                events.append(.textDelta(text))
            }
            for (position, fragment) in (choice["delta"]?["tool_calls"]?.arrayValue ?? []).enumerated() {
                let index = fragment["index"]?.intValue ?? position
                var call = calls[index] ?? PartialCall()
                if call.id.isEmpty, let id = fragment["id"]?.stringValue { call.id = id }
                if call.name.isEmpty, let name = fragment["function"]?["name"]?.stringValue { call.name = name }
                if let arguments = fragment["function"]?["arguments"]?.stringValue { call.arguments += arguments }
                calls[index] = call
            }
            if let reason = choice["finish_reason"]?.stringValue { finishReason = Self.finishReason(reason) }
        }
        return events
    }

    mutating func finish() throws -> [ModelEvent] {
        guard isComplete || finishReason != nil else {
            throw StreamFailure.malformed(
                "the stream ended after \(chunks) chunks without a finish_reason or [DONE]: the response is incomplete")
        }
        var events: [ModelEvent] = []
        for (index, call) in calls.sorted(by: { $0.key < $1.key }) {
            guard !call.name.isEmpty else {
                throw StreamFailure.malformed("the tool call at index \(index) never received a function name")
            }
            let id = call.id.isEmpty ? "call_\(index)" : call.id
            events.append(.toolCall(ToolCall(id: id, name: call.name, arguments: call.arguments)))
        }
        if let usage { events.append(.usage(usage)) }
        events.append(.finished(finishReason ?? .stop))
        return events
    }

    static func usage(from value: JSONValue) -> Usage {
        let cached =
            value["prompt_tokens_details"]?["cached_tokens"]?.intValue ?? value["prompt_cache_hit_tokens"]?.intValue
            ?? 0
        return Usage(
            inputTokens: value["prompt_tokens"]?.intValue ?? 0, outputTokens: value["completion_tokens"]?.intValue ?? 0,
            cachedInputTokens: cached)
    }

    static func finishReason(_ reason: String) -> FinishReason {
        switch reason {
        case "stop": .stop
        case "tool_calls", "function_call": .toolCalls
        case "length": .length
        case "content_filter": .contentFilter
        default: .other
        }
    }
}
