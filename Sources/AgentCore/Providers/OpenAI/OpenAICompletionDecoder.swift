import Foundation

/// Decodes a non-streamed Chat Completions response (one JSON object) into the same events a stream gives.
struct OpenAICompletionDecoder: ProviderBodyDecoder {
    /// The most bytes of a completion read before it is refused as malformed.
    static let sizeLimit = 32 << 20

    private var body = Data()
    let isComplete = false

    mutating func consume(_ chunk: Data) throws -> [ModelEvent] {
        body.append(chunk)
        guard body.count <= Self.sizeLimit else {
            throw StreamFailure.malformed("the completion is larger than \(Self.sizeLimit >> 20) MB")
        }
        return []
    }

    func finish() throws -> [ModelEvent] {
        guard let completion = try? JSONDecoder().decode(JSONValue.self, from: body), completion.objectValue != nil
        else {
            let text = String(decoding: body.prefix(200), as: UTF8.self)
            throw StreamFailure.malformed("the response is not a chat completion JSON object: \(text)")
        }
        if let error = completion["error"], error != .null {
            throw StreamFailure(
                code: .server, detail: "the API answered with an error",
                apiMessage: error["message"]?.stringValue ?? error.stringValue ?? error.compactText)
        }
        guard let choice = completion["choices"]?.arrayValue?.first, let message = choice["message"] else {
            throw StreamFailure.malformed("the completion has no choices[0].message")
        }
        var events: [ModelEvent] = []
        if let text = message["content"]?.stringValue, !text.isEmpty { events.append(.textDelta(text)) }
        for (index, call) in (message["tool_calls"]?.arrayValue ?? []).enumerated() {
            guard let name = call["function"]?["name"]?.stringValue, !name.isEmpty else {
                throw StreamFailure.malformed("tool call \(index) of the completion has no function name")
            }
            let id = call["id"]?.stringValue.flatMap { $0.isEmpty ? nil : $0 } ?? "call_\(index)"
            let arguments = call["function"]?["arguments"]?.stringValue ?? "{}"
            events.append(.toolCall(ToolCall(id: id, name: name, arguments: arguments)))
        }
        if let usage = completion["usage"], usage != .null {
            events.append(.usage(OpenAIStreamDecoder.usage(from: usage)))
        }
        events.append(.finished(OpenAIStreamDecoder.finishReason(choice["finish_reason"]?.stringValue ?? "stop")))
        return events
    }
}
