import AgentCore
import AgentTesting
import Foundation
import Testing

/// ``ChatCompletionsServer`` round trip: a scripted model served over a loopback socket, talked to by the real
/// `OpenAICompatibleProvider`, gives the agent what the scripted model said, and sees what the agent sent.
@Suite struct ChatCompletionsServerTests {
    @Test func aScriptedModelServedOverHTTPStreamsToolCallsAndTextBackToTheProvider() async throws {
        let arguments = #"{"path":"data/train.jsonl","note":"a long argument that arrives in several fragments"}"#
        let model = ScriptedModelProvider(turns: [
            .toolCalls([ToolCall(id: "call-1", name: "read_file", arguments: arguments)], usage: Usage(inputTokens: 12, outputTokens: 5)),
            .text("The file has 3 rows, all in the évaluation's format.", chunkSize: 5),
        ])
        let server = try ChatCompletionsServer(serving: model, lifetime: .seconds(60), fragmentSize: 7)
        defer { server.stop() }
        let provider = try ProviderFactory.make(
            provider: "openai-compatible", model: "scripted", baseURL: server.baseURL, environment: [:])
        let tool = ToolDefinition(
            name: "read_file", description: "Reads a file.",
            parameters: JSONSchema.object(properties: ["path": .string(description: "the file")], required: ["path"]))

        let first = try await provider.respond(
            ModelRequest(model: "scripted", messages: [.system("Be brief."), .user("Read the data.")], tools: [tool]))
        #expect(first.message.toolCalls == [ToolCall(id: "call-1", name: "read_file", arguments: arguments)])
        #expect(first.finishReason == .toolCalls)
        #expect(first.usage.inputTokens == 12 && first.usage.outputTokens == 5)

        let history: [Message] = [
            .system("Be brief."), .user("Read the data."), first.message,
            .toolResult(callID: "call-1", ToolOutput("3 rows")),
        ]
        let second = try await provider.respond(ModelRequest(model: "scripted", messages: history, tools: [tool]))
        #expect(second.message.text == "The file has 3 rows, all in the évaluation's format.")
        #expect(second.finishReason == .stop)

        // What the model saw is what the agent sent: roles, the tool call, the result tied to it, the tools.
        let seen = try #require(server.requests.last)
        #expect(seen.messages.map(\.role) == [.system, .user, .assistant, .tool])
        #expect(seen.messages[2].toolCalls.first?.arguments == arguments)
        #expect(seen.messages[3].toolCallID == "call-1" && seen.messages[3].text == "3 rows")
        #expect(seen.tools.map(\.name) == ["read_file"])
        #expect(model.requests.count == 2 && server.httpRequests.count == 2)
    }
}
