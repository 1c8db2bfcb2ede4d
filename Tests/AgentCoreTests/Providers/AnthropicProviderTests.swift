import AgentTesting
import AgentCore
import Foundation
import Testing

/// The Anthropic provider over real HTTP, against a loopback server replaying recorded Messages API traffic.
@Suite struct AnthropicProviderTests {
    private static let key = "sk-ant-api03-test-0123456789abcdef"

    private func provider(_ server: LoopbackHTTPServer, sleeps: RecordedSleeps = RecordedSleeps()) throws
        -> AnthropicProvider
    {
        try AnthropicProvider(
            apiKey: Self.key, environment: [:], baseURL: server.baseURL, requestTimeout: .seconds(30),
            retryPolicy: sleeps.policy())
    }

    private let request = ModelRequest(
        model: "claude-sonnet-4-5",
        messages: [
            .system("You train models."), .system("Be brief."), .user("Read the data."),
            .assistant(
                "Reading.", toolCalls: [ToolCall(id: "toolu_1", name: "read_file", arguments: #"{"path":"a"}"#)]),
            .toolResult(callID: "toolu_1", .error("no such file: a")),
            .user("Try again."),
        ],
        tools: [
            ToolDefinition(
                name: "read_file", description: "Reads a file",
                parameters: .object(properties: ["path": .string()], required: ["path"]))
        ])

    @Test func streamsTextAndUsageAndSendsAMessagesRequest() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("anthropic/text.sse")])
        let result = await CollectedStream.from(try provider(server).stream(request))
        #expect(result.error == nil)
        #expect(result.text == "Hello! The café is open ✓.\nSecond line.")
        #expect(result.usage == Usage(inputTokens: 25, outputTokens: 15))
        #expect(result.finish == .stop)

        let sent = try #require(server.requests.first)
        #expect(sent.path == "/v1/messages")
        #expect(sent.headers["x-api-key"] == Self.key)
        #expect(sent.headers["anthropic-version"] == "2023-06-01")
        #expect(sent.headers["authorization"] == nil)
        let body = sent.json
        #expect(body["system"] == "You train models.\n\nBe brief.")
        #expect(body["max_tokens"] == 8192 && body["stream"] == true)
        #expect(body["tools"]?.arrayValue?.first?["input_schema"]?["required"] == ["path"])
        let messages = try #require(body["messages"]?.arrayValue)
        #expect(messages.map { $0["role"] } == ["user", "assistant", "user"])
        #expect(
            messages[1]["content"]?.arrayValue?.last
                == ["type": "tool_use", "id": "toolu_1", "name": "read_file", "input": ["path": "a"]])
        #expect(
            messages[2]["content"]
                == [
                    ["type": "tool_result", "tool_use_id": "toolu_1", "content": "no such file: a", "is_error": true],
                    ["type": "text", "text": "Try again."],
                ])
    }

    @Test func assemblesToolUseBlocksFromInputJSONDeltas() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("anthropic/tool-use.sse", chunkSize: 11)])
        let result = await CollectedStream.from(try provider(server).stream(request))
        #expect(result.error == nil)
        #expect(result.text == "I'll read both files.")
        #expect(
            result.toolCalls == [
                ToolCall(
                    id: "toolu_01T1x1fJ34qAmk2tNTrN7Up6", name: "read_file", arguments: #"{"path": "data/train.jsonl"}"#
                ),
                ToolCall(id: "toolu_01A09q90qw90lq917835lq9", name: "list_directory", arguments: #"{"path":"data"}"#),
                ToolCall(id: "toolu_01Bq8NfNn3oX1cYQk2Lr5s7T", name: "get_time", arguments: "{}"),
            ])
        #expect(result.finish == .toolCalls)
        #expect(result.usage == Usage(inputTokens: 2520, outputTokens: 89, cachedInputTokens: 2048))
    }

    @Test func honoursAnHTTPDateRetryAfterOn429ThenSucceeds() async throws {
        let formatter = DateFormatter()
        formatter.locale = Locale(identifier: "en_US_POSIX")
        formatter.timeZone = TimeZone(identifier: "GMT")
        formatter.dateFormat = "EEE, dd MMM yyyy HH:mm:ss 'GMT'"
        let start = Date()
        let date = formatter.string(from: start.addingTimeInterval(30))
        let server = try LoopbackHTTPServer(script: [
            .json("anthropic/429.json", status: 429, headers: ["Retry-After": date]), .sse("anthropic/text.sse"),
        ])
        let sleeps = RecordedSleeps()
        let result = await CollectedStream.from(try provider(server, sleeps: sleeps).stream(request))
        #expect(result.error == nil)
        #expect(result.finish == .stop)
        let waited = try #require(sleeps.recorded.first)
        // The header has whole seconds and is parsed after the request; on a loaded machine that can be seconds
        // later, so the lower bound subtracts the time this test actually took.
        let elapsed = Date().timeIntervalSince(start)
        #expect(sleeps.recorded.count == 1)
        #expect(waited <= .seconds(30))
        #expect(waited >= .milliseconds(Int((29 - elapsed) * 1000)))
        #expect(server.requests.count == 2)
    }

    @Test func retriesOverloaded529ThenSucceeds() async throws {
        let server = try LoopbackHTTPServer(script: [
            .json("anthropic/529.json", status: 529), .sse("anthropic/text.sse"),
        ])
        let sleeps = RecordedSleeps()
        let result = await CollectedStream.from(try provider(server, sleeps: sleeps).stream(request))
        #expect(result.error == nil)
        #expect(sleeps.recorded == [.milliseconds(500)])
        #expect(server.requests.count == 2)
    }

    @Test func malformedJSONInTheStreamIsAClearError() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("anthropic/malformed.sse")])
        let result = await CollectedStream.from(try provider(server).stream(request))
        let error = try #require(result.providerError)
        #expect(error.code == .malformedStream)
        #expect(error.description.contains("anthropic model 'claude-sonnet-4-5'"))
        #expect(error.description.contains("the 'content_block_delta' event is not a JSON object"))
        #expect(server.requests.count == 1)
    }

    @Test func connectionCutMidStreamFailsWithoutRetryingAfterBytesWereDelivered() async throws {
        let server = try LoopbackHTTPServer(script: [
            .sse("anthropic/cut.sse", ending: .cutConnection), .sse("anthropic/text.sse"),
        ])
        let result = await CollectedStream.from(try provider(server).stream(request))
        let error = try #require(result.providerError)
        #expect(error.code == .transport)
        #expect(error.description.contains("after part of the response was delivered (not retried)"))
        #expect(result.text == "Hello")
        #expect(server.requests.count == 1)
    }

    @Test func anErrorEventBeforeAnyTextIsRetried() async throws {
        let server = try LoopbackHTTPServer(script: [
            .sse("anthropic/overloaded-event.sse"), .sse("anthropic/text.sse"),
        ])
        let sleeps = RecordedSleeps()
        let result = await CollectedStream.from(try provider(server, sleeps: sleeps).stream(request))
        #expect(result.error == nil)
        #expect(result.text == "Hello! The café is open ✓.\nSecond line.")
        #expect(sleeps.recorded.count == 1)
        #expect(server.requests.count == 2)
    }

    @Test func anErrorEventAfterTextFailsWithTheAPIsMessage() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("anthropic/error-event.sse")])
        let result = await CollectedStream.from(try provider(server).stream(request))
        let error = try #require(result.providerError)
        #expect(error.code == .server)
        #expect(error.apiMessage == "Overloaded")
        #expect(result.text == "Hello")
        #expect(server.requests.count == 1)
    }

    @Test func unauthorizedNamesProviderModelAndTheAPIsMessage() async throws {
        let server = try LoopbackHTTPServer(script: [.json("anthropic/401.json", status: 401)])
        let result = await CollectedStream.from(try provider(server).stream(request))
        let error = try #require(result.providerError)
        #expect(error.code == .unauthorized)
        #expect(
            error.description
                == "anthropic model 'claude-sonnet-4-5': the API key was refused (HTTP 401). "
                + #"The API said: "invalid x-api-key". Check the API key for anthropic"#)
        #expect(server.requests.count == 1)
    }

    @Test func aMissingKeyNamesTheVariable() {
        #expect {
            try AnthropicProvider(environment: ["PATH": "/bin"])
        } throws: { error in
            let error = error as? ModelProviderError
            return error?.code == .missingAPIKey && error?.description.contains("ANTHROPIC_API_KEY") == true
        }
    }
}
