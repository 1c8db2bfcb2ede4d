import AgentTesting
import AgentCore
import Foundation
import Testing

/// A key planted in the environment is used on the wire but appears in no error, description or log line,
/// even when the API echoes it back in its error body.
@Suite struct APIKeyLeakTests {
    private static let planted = "sk-planted-7f3c9a1e5b2d4f6081a2c3e4"

    @Test(arguments: ["openai", "anthropic"])
    func aPlantedKeyNeverLeaks(provider name: String) async throws {
        let echo = #"{"error":{"type":"authentication_error","message":"key \#(Self.planted) is revoked"}}"#
        let stream = name == "openai" ? "openai/cut.sse" : "anthropic/cut.sse"
        let server = try LoopbackHTTPServer(script: [
            .text(echo, status: 401, headers: ["Content-Type": "application/json"]),
            .text(echo, status: 500, headers: ["Content-Type": "application/json"]),
            .text(echo, status: 500, headers: ["Content-Type": "application/json"]),
            try .sse(stream, ending: .cutConnection),
        ])
        let logs = CapturedLogs()
        let environment = [
            "OPENAI_API_KEY": Self.planted, "ANTHROPIC_API_KEY": Self.planted,
            "OPENAI_BASE_URL": "\(server.baseURL)/v1", "ANTHROPIC_BASE_URL": "\(server.baseURL)",
        ]
        let provider = try ProviderFactory.make(
            provider: name, model: "model-x", environment: environment, retryPolicy: RecordedSleeps().policy(),
            logger: logs.logger())
        let request = ModelRequest(model: "model-x", messages: [.user("hi")])

        var texts: [String] = []
        for _ in 0..<2 {
            let result = await CollectedStream.from(provider.stream(request))
            let error = try #require(result.providerError)
            texts += [
                error.description, String(describing: error), String(reflecting: error), error.localizedDescription,
                error.apiMessage ?? "", error.detail,
            ]
        }
        texts.append(logs.text)
        #expect(server.requests.count == 4)
        #expect(server.requests.allSatisfy { "\($0.headers)".contains(Self.planted) })
        #expect(texts[0].contains("key [REDACTED] is revoked"))
        #expect(logs.text.contains("model request failed"))
        for text in texts {
            #expect(!text.contains(Self.planted))
            #expect(!text.contains(String(Self.planted.dropFirst(10))))
        }
    }
}

@Suite struct HTTPRequestDescriptionTests {
    @Test func describesHeaderNamesButNotTheirValues() {
        let request = HTTPRequest(
            url: URL(string: "https://api.example.com/v1/chat/completions")!,
            headers: ["Authorization": "Bearer sk-secret-0123456789", "x-api-key": "sk-ant-secret-0123456789"],
            body: Data("{}".utf8))
        for text in [String(describing: request), String(reflecting: request), "\(request)"] {
            #expect(!text.contains("secret"))
            #expect(text.contains("Authorization, x-api-key"))
        }
    }
}
