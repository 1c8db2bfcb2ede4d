import AgentTesting
import AgentCore
import Foundation
import Testing

/// Unstreamed Chat Completions, and LlamaFactory's `api` server, whose traffic in Fixtures/llamafactory was
/// recorded from LlamaFactory 0.9.5 serving a tiny Qwen2 model on this machine.
@Suite struct UnstreamedCompletionTests {
    private let tools = [
        ToolDefinition(
            name: "read_file", description: "Reads a file",
            parameters: .object(properties: ["path": .string()], required: ["path"]))
    ]

    @Test func decodesAnUnstreamedCompletionWithToolCalls() async throws {
        let server = try LoopbackHTTPServer(script: [.json("openai/completion-tool-calls.json", status: 200)])
        let provider = OpenAICompatibleProvider(
            baseURL: server.baseURL.appending(path: "v1"), apiKey: "sk-test-0123456789", streaming: .never)
        let result = await CollectedStream.from(
            provider.stream(ModelRequest(model: "gpt-4o", messages: [.user("Look at the data.")], tools: tools)))
        #expect(result.error == nil)
        #expect(
            result.toolCalls.map(\.arguments) == [#"{"path":"data/train.jsonl"}"#, #"{"path":"data"}"#])
        #expect(result.usage == Usage(inputTokens: 310, outputTokens: 52, cachedInputTokens: 256))
        #expect(result.finish == .toolCalls)
        let body = try #require(server.requests.first).json
        #expect(body["stream"] == false && body["stream_options"] == nil)
    }

    @Test func streamsRecordedLlamaFactoryTextWhichHasNoUsage() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("llamafactory/text.sse", chunkSize: 64)])
        let provider = try ProviderFactory.make(
            provider: "llamafactory", model: "tiny", baseURL: server.baseURL.appending(path: "v1"), environment: [:])
        let result = await CollectedStream.from(provider.stream(ModelRequest(model: "tiny", messages: [.user("Hi")])))
        #expect(result.error == nil)
        #expect(result.text == "\n\n\n\n&io")
        #expect(result.usage == .zero)
        #expect(result.finish == .stop)
        #expect(try #require(server.requests.first).json["stream"] == true)
    }

    @Test func sendsLlamaFactoryRequestsWithToolsUnstreamed() async throws {
        let server = try LoopbackHTTPServer(script: [.json("llamafactory/completion.json", status: 200)])
        let provider = try ProviderFactory.make(
            provider: "llamafactory", model: "tiny", baseURL: server.baseURL.appending(path: "v1"), environment: [:])
        let result = await CollectedStream.from(
            provider.stream(ModelRequest(model: "tiny", messages: [.user("Read a.")], tools: tools)))
        #expect(result.error == nil)
        #expect(result.text.hasPrefix("is"))
        #expect(result.usage == Usage(inputTokens: 676, outputTokens: 6))
        #expect(result.finish == .length)
        let body = try #require(server.requests.first).json
        #expect(body["stream"] == false)
        #expect(body["tools"]?.arrayValue?.count == 1)
    }

    @Test func aConnectionDroppedBeforeAnyByteIsRetried() async throws {
        let server = try LoopbackHTTPServer(script: [.cutBeforeBody, .sse("llamafactory/text.sse")])
        let sleeps = RecordedSleeps()
        let provider = OpenAICompatibleProvider(
            baseURL: server.baseURL.appending(path: "v1"), retryPolicy: sleeps.policy())
        let result = await CollectedStream.from(provider.stream(ModelRequest(model: "tiny", messages: [.user("Hi")])))
        #expect(result.error == nil)
        #expect(result.finish == .stop)
        #expect(sleeps.recorded.count == 1)
        #expect(server.requests.count == 2)
    }

    @Test func aBadRequestCarriesFastAPIsDetail() async throws {
        let server = try LoopbackHTTPServer(script: [
            .text(#"{"detail":"Invalid role"}"#, status: 400, headers: ["Content-Type": "application/json"])
        ])
        let provider = OpenAICompatibleProvider(name: "llamafactory", baseURL: server.baseURL.appending(path: "v1"))
        let result = await CollectedStream.from(provider.stream(ModelRequest(model: "tiny", messages: [.user("Hi")])))
        let error = try #require(result.providerError)
        #expect(error.code == .badRequest && error.apiMessage == "Invalid role")
        #expect(error.description.hasPrefix("llamafactory model 'tiny': the API rejected the request (HTTP 400)"))
        #expect(server.requests.count == 1)
    }
}
