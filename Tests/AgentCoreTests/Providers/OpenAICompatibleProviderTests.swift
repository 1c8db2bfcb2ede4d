import AgentTesting
import AgentCore
import Foundation
import Testing

/// The OpenAI-compatible provider over real HTTP, against a loopback server replaying recorded traffic.
@Suite struct OpenAICompatibleProviderTests {
    private static let key = "sk-test-openai-0123456789abcdef"

    private func provider(
        _ server: LoopbackHTTPServer, sleeps: RecordedSleeps = RecordedSleeps(), name: String = "openai",
        timeout: Duration = .seconds(30), maxAttempts: Int = 4
    ) -> OpenAICompatibleProvider {
        OpenAICompatibleProvider(
            name: name, baseURL: server.baseURL.appending(path: "v1"), apiKey: Self.key, requestTimeout: timeout,
            retryPolicy: sleeps.policy(maxAttempts: maxAttempts))
    }

    private let request = ModelRequest(
        model: "gpt-4o", messages: [.system("Be brief."), .user("Describe the café.")],
        tools: [
            ToolDefinition(
                name: "read_file", description: "Reads a file",
                parameters: .object(properties: ["path": .string()], required: ["path"]))
        ], maxOutputTokens: 256, temperature: 0.2)

    @Test func streamsTextAndUsageAndSendsAChatCompletionsRequest() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("openai/text.sse")])
        let result = await CollectedStream.from(provider(server).stream(request))
        #expect(result.error == nil)
        #expect(result.text == "The café serves crème brûlée ✓\n\nLine two.")
        #expect(result.usage == Usage(inputTokens: 1117, outputTokens: 46, cachedInputTokens: 1024))
        #expect(result.finish == .stop)
        #expect(result.events.last == .finished(.stop))

        let sent = try #require(server.requests.first)
        #expect(sent.method == "POST" && sent.path == "/v1/chat/completions")
        #expect(sent.headers["authorization"] == "Bearer \(Self.key)")
        let body = sent.json
        #expect(body["model"] == "gpt-4o" && body["stream"] == true)
        #expect(body["stream_options"]?["include_usage"] == true)
        #expect(body["max_tokens"] == 256 && body["temperature"] == 0.2)
        #expect(body["messages"]?.arrayValue?.first == ["role": "system", "content": "Be brief."])
        #expect(body["tools"]?.arrayValue?.first?["function"]?["name"] == "read_file")
    }

    @Test func assemblesParallelToolCallsFromInterleavedFragments() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("openai/parallel-tool-calls.sse", chunkSize: 5)])
        let result = await CollectedStream.from(provider(server).stream(request))
        #expect(result.error == nil)
        #expect(
            result.toolCalls == [
                ToolCall(
                    id: "call_Wg1b7dH2T0iYkU1qC3hG0ka", name: "read_file", arguments: #"{"path": "data/train.jsonl"}"#),
                ToolCall(id: "call_Ok8pXyV6nQ2rJ3sL4mN5bcd", name: "list_directory", arguments: #"{"path": "data"}"#),
            ])
        #expect(result.finish == .toolCalls)
        #expect(result.usage == Usage(inputTokens: 310, outputTokens: 52))
    }

    @Test func readsDeepSeekCacheHitsAndSkipsKeepAliveComments() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("deepseek/text.sse")])
        let result = await CollectedStream.from(provider(server, name: "deepseek").stream(request))
        #expect(result.error == nil)
        #expect(result.text == "Hello!")
        #expect(result.usage == Usage(inputTokens: 64, outputTokens: 3, cachedInputTokens: 48))
    }

    @Test func honoursRetryAfterOn429ThenSucceeds() async throws {
        let server = try LoopbackHTTPServer(script: [
            .json("openai/429.json", status: 429, headers: ["Retry-After": "2"]), .sse("openai/text.sse"),
        ])
        let sleeps = RecordedSleeps()
        let result = await CollectedStream.from(provider(server, sleeps: sleeps).stream(request))
        #expect(result.error == nil)
        #expect(result.text.hasPrefix("The café"))
        #expect(sleeps.recorded == [.seconds(2)])
        #expect(server.requests.count == 2)
    }

    @Test func retries500WithBackoffThenSucceeds() async throws {
        let server = try LoopbackHTTPServer(script: [
            .json("openai/500.json", status: 500), .json("openai/500.json", status: 500), .sse("openai/text.sse"),
        ])
        let sleeps = RecordedSleeps()
        let result = await CollectedStream.from(provider(server, sleeps: sleeps).stream(request))
        #expect(result.error == nil)
        #expect(result.finish == .stop)
        #expect(sleeps.recorded == [.milliseconds(500), .seconds(1)])
        #expect(server.requests.count == 3)
    }

    @Test func givesUpAfterMaxAttemptsWithTheAPIsMessage() async throws {
        let server = try LoopbackHTTPServer(
            script: Array(repeating: try .json("openai/500.json", status: 500), count: 4))
        let result = await CollectedStream.from(provider(server).stream(request))
        let error = try #require(result.providerError)
        #expect(error.code == .server && error.status == 500)
        #expect(error.description.contains("The server had an error while processing your request"))
        #expect(server.requests.count == 4)
    }

    @Test func malformedJSONInTheStreamIsAClearError() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("openai/malformed.sse")])
        let result = await CollectedStream.from(provider(server).stream(request))
        let error = try #require(result.providerError)
        #expect(error.code == .malformedStream)
        #expect(error.description.contains("openai model 'gpt-4o'"))
        #expect(error.description.contains("stream chunk 4 is not a JSON object"))
        #expect(result.text == "The café")
        #expect(server.requests.count == 1)
    }

    @Test func connectionCutMidStreamFailsWithoutRetryingAfterBytesWereDelivered() async throws {
        let server = try LoopbackHTTPServer(script: [
            .sse("openai/cut.sse", ending: .cutConnection), .sse("openai/text.sse"),
        ])
        let result = await CollectedStream.from(provider(server).stream(request))
        let error = try #require(result.providerError)
        #expect(error.code == .transport)
        #expect(error.description.contains("openai model 'gpt-4o': the connection failed after part of the response"))
        #expect(result.text == "The café")
        #expect(server.requests.count == 1)
    }

    @Test func retriesRefusedConnectionsThenReportsThem() async throws {
        let server = try LoopbackHTTPServer(script: [])
        server.stop()
        let sleeps = RecordedSleeps()
        let result = await CollectedStream.from(provider(server, sleeps: sleeps).stream(request))
        let error = try #require(result.providerError)
        #expect(error.code == .transport)
        #expect(error.description.contains("cannot connect to the server"))
        #expect(sleeps.recorded == [.milliseconds(500), .seconds(1), .seconds(2)])
    }

    @Test func unauthorizedNamesProviderModelAndTheAPIsMessage() async throws {
        let server = try LoopbackHTTPServer(script: [.json("openai/401.json", status: 401)])
        let result = await CollectedStream.from(provider(server).stream(request))
        let error = try #require(result.providerError)
        #expect(error.code == .unauthorized && error.status == 401)
        #expect(error.apiMessage?.hasPrefix("Incorrect API key provided") == true)
        #expect(error.description.contains("openai model 'gpt-4o'"))
        #expect(error.description.contains("HTTP 401"))
        #expect(!error.description.contains(Self.key))
        #expect(server.requests.count == 1)
    }

    @Test func droppingTheStreamClosesTheConnection() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("openai/cut.sse", ending: .holdUntilClientCloses)])
        var received = ""
        for try await event in provider(server).stream(request) {
            if case .textDelta(let text) = event { received += text }
            if received == "The café" { break }
        }
        #expect(received == "The café")
        #expect(await server.waitForClientClose())
    }

    @Test func cancellingTheConsumerClosesTheConnection() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("openai/cut.sse", ending: .holdUntilClientCloses)])
        let stream = provider(server).stream(request)
        let consumer = Task { await CollectedStream.from(stream) }
        #expect(await server.waitForRequests(1))
        consumer.cancel()
        let result = await consumer.value
        // A cancelled consumer's stream ends early (no `.finished`), the way AsyncThrowingStream ends on cancel.
        #expect(result.finish == nil)
        #expect(await server.waitForClientClose())
        #expect(server.requests.count == 1)
    }

    @Test func cancellingBeforeTheResponseHeadClosesTheConnection() async throws {
        let server = try LoopbackHTTPServer(script: [.stalled])
        let stream = provider(server).stream(request)
        let consumer = Task { await CollectedStream.from(stream) }
        #expect(await server.waitForRequests(1))
        consumer.cancel()
        let result = await consumer.value
        #expect(result.events.isEmpty)
        #expect(await server.waitForClientClose())
        #expect(server.requests.count == 1)
    }

    @Test func aSilentServerTimesOut() async throws {
        let server = try LoopbackHTTPServer(script: [.stalled])
        let result = await CollectedStream.from(
            provider(server, sleeps: RecordedSleeps(), timeout: .milliseconds(300), maxAttempts: 1).stream(
                ModelRequest(model: "gpt-4o", messages: [.user("hi")])))
        let error = try #require(result.providerError)
        #expect(error.code == .timeout)
        #expect(error.description.contains("no bytes arrived within the request timeout"))
        #expect(await server.waitForClientClose())
    }

    @Test func encodesToolCallsAndToolResults() throws {
        let provider = OpenAICompatibleProvider(baseURL: URL(string: "http://127.0.0.1:1/v1")!)
        let call = ToolCall(id: "call_1", name: "read_file", arguments: #"{"path":"a"}"#)
        let body = provider.body(
            for: ModelRequest(
                model: "m",
                messages: [
                    .user("go"), .assistant("", toolCalls: [call]),
                    .toolResult(callID: "call_1", .error("no such file")),
                ]))
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages[1]["content"] == .null)
        #expect(messages[1]["tool_calls"]?.arrayValue?.first?["function"]?["arguments"] == #"{"path":"a"}"#)
        #expect(messages[2] == ["role": "tool", "tool_call_id": "call_1", "content": "no such file"])
        #expect(body["tools"] == nil && body["max_tokens"] == nil)
    }
}
