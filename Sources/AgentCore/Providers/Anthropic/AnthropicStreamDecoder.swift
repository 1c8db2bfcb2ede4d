/// Decodes Messages API stream events: text and tool_use content blocks, `input_json_delta`, stop reason, usage.
struct AnthropicStreamDecoder: ProviderStreamDecoder {
    private struct ToolUse {
        var id: String
        var name: String
        var initialInput: JSONValue
        var json = ""
    }

    private(set) var isComplete = false
    private var toolUses: [Int: ToolUse] = [:]
    private var stopReason: FinishReason?
    private var usage = Usage()
    private var cacheCreationTokens = 0
    private var started = false

    mutating func decode(_ event: ServerSentEvent) throws -> [ModelEvent] {
        guard let payload = try? JSONValue(parsing: event.data), payload.objectValue != nil else {
            throw StreamFailure.malformed(
                "the '\(event.event ?? "message")' event is not a JSON object: \(event.data.prefix(200))")
        }
        let type = payload["type"]?.stringValue ?? event.event ?? ""
        switch type {
        case "message_start":
            started = true
            if let reported = payload["message"]?["usage"] { record(reported) }
        case "content_block_start":
            let index = try Self.index(of: payload, type)
            let block = payload["content_block"]
            if block?["type"]?.stringValue == "tool_use" {
                guard let id = block?["id"]?.stringValue, let name = block?["name"]?.stringValue else {
                    throw StreamFailure.malformed("tool_use block \(index) has no id or name")
                }
                toolUses[index] = ToolUse(id: id, name: name, initialInput: block?["input"] ?? [:])
            } else if let text = block?["text"]?.stringValue, !text.isEmpty {
                return [.textDelta(text)]
            }
        case "content_block_delta":
            let index = try Self.index(of: payload, type)
            let delta = payload["delta"]
            switch delta?["type"]?.stringValue {
            case "text_delta":
                if let text = delta?["text"]?.stringValue, !text.isEmpty { return [.textDelta(text)] }
            case "input_json_delta":
                guard toolUses[index] != nil else {
                    throw StreamFailure.malformed("input_json_delta for block \(index), which is not a tool_use block")
                }
                toolUses[index]?.json += delta?["partial_json"]?.stringValue ?? ""
            default:
                break
            }
        case "content_block_stop":
            let index = try Self.index(of: payload, type)
            if let use = toolUses.removeValue(forKey: index) {
                let arguments = use.json.isEmpty ? use.initialInput.compactText : use.json
                return [.toolCall(ToolCall(id: use.id, name: use.name, arguments: arguments))]
            }
        case "message_delta":
            if let reason = payload["delta"]?["stop_reason"]?.stringValue { stopReason = Self.finishReason(reason) }
            if let reported = payload["usage"] { record(reported) }
        case "message_stop":
            isComplete = true
        case "error":
            let error = payload["error"]
            throw StreamFailure(
                code: Self.code(forErrorType: error?["type"]?.stringValue),
                detail: "the API sent an error event in the stream",
                apiMessage: error?["message"]?.stringValue ?? error?.compactText)
        default:
            break
        }
        return []
    }

    mutating func finish() throws -> [ModelEvent] {
        guard isComplete else {
            let seen = started ? "after message_start" : "before message_start"
            throw StreamFailure.malformed(
                "the stream ended \(seen) but without message_stop: the response is incomplete")
        }
        var total = usage
        total.inputTokens += usage.cachedInputTokens + cacheCreationTokens
        return [.usage(total), .finished(stopReason ?? .stop)]
    }

    /// Keeps the latest counts: `message_start` reports input, `message_delta` the cumulative output.
    private mutating func record(_ reported: JSONValue) {
        if let input = reported["input_tokens"]?.intValue { usage.inputTokens = input }
        if let output = reported["output_tokens"]?.intValue { usage.outputTokens = output }
        if let read = reported["cache_read_input_tokens"]?.intValue { usage.cachedInputTokens = read }
        if let created = reported["cache_creation_input_tokens"]?.intValue { cacheCreationTokens = created }
    }

    private static func index(of payload: JSONValue, _ type: String) throws -> Int {
        guard let index = payload["index"]?.intValue else {
            throw StreamFailure.malformed("a \(type) event has no index")
        }
        return index
    }

    private static func finishReason(_ reason: String) -> FinishReason {
        switch reason {
        case "end_turn", "stop_sequence": .stop
        case "tool_use": .toolCalls
        case "max_tokens", "model_context_window_exceeded": .length
        case "refusal": .contentFilter
        default: .other
        }
    }

    private static func code(forErrorType type: String?) -> ModelProviderError.Code {
        switch type {
        case "rate_limit_error": .rateLimited
        case "authentication_error": .unauthorized
        case "permission_error": .forbidden
        case "invalid_request_error": .badRequest
        case "not_found_error": .notFound
        default: .server
        }
    }
}
