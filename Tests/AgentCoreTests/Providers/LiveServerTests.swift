import AgentCore
import Foundation
import Testing

/// Runs only when `AUTOTRAINESS_LIVE_LLAMAFACTORY_URL` names a running LlamaFactory `api` server (e.g.
/// `http://127.0.0.1:8000/v1`): the provider against the real server, streamed and with tools.
@Suite(.enabled(if: ProcessInfo.processInfo.environment["AUTOTRAINESS_LIVE_LLAMAFACTORY_URL"] != nil))
struct LiveServerTests {
    private let provider: any ModelProvider

    init() throws {
        let url = try #require(ProcessInfo.processInfo.environment["AUTOTRAINESS_LIVE_LLAMAFACTORY_URL"])
        provider = try ProviderFactory.make(
            provider: "llamafactory", model: "live", baseURL: URL(string: url), environment: [:],
            retryPolicy: .none)
    }

    @Test func streamsTextFromTheRealServer() async throws {
        let reply = try await provider.respond(
            ModelRequest(model: "live", messages: [.system("Be brief."), .user("Say hi.")], maxOutputTokens: 8))
        #expect([.stop, .length].contains(reply.finishReason))
    }

    @Test func answersARequestWithToolsAndToolResults() async throws {
        let call = ToolCall(id: "call_1", name: "read_file", arguments: #"{"path":"a"}"#)
        let reply = try await provider.respond(
            ModelRequest(
                model: "live",
                messages: [
                    .user("Read a."), .assistant("", toolCalls: [call]),
                    .toolResult(callID: "call_1", .error("no such file")),
                ],
                tools: [
                    ToolDefinition(
                        name: "read_file", description: "Reads a file",
                        parameters: .object(properties: ["path": .string()], required: ["path"]))
                ], maxOutputTokens: 8))
        #expect(reply.usage.inputTokens > 0)
    }
}
