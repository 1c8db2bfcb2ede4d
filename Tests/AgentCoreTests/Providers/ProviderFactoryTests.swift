import AgentTesting
import AgentCore
import Foundation
import Testing

@Suite struct ProviderFactoryTests {
    @Test(arguments: [
        ("anthropic", "ANTHROPIC_API_KEY"), ("openai", "OPENAI_API_KEY"), ("deepseek", "DEEPSEEK_API_KEY"),
    ])
    func aMissingKeyNamesTheVariable(provider: String, variable: String) {
        #expect {
            try ProviderFactory.make(provider: provider, model: "m", environment: ["HOME": "/root"])
        } throws: { error in
            let error = error as? ModelProviderError
            return error?.code == .missingAPIKey && error?.description.contains(variable) == true
        }
    }

    @Test func unknownProvidersAndMissingBaseURLsAreConfigurationErrors() {
        #expect {
            try ProviderFactory.make(provider: "gemini", model: "m", environment: [:])
        } throws: { error in
            (error as? ModelProviderError)?.description.contains(
                "anthropic, openai, deepseek, openai-compatible, llamafactory")
                == true
        }
        #expect {
            try ProviderFactory.make(provider: "openai-compatible", model: "m", environment: [:])
        } throws: { error in
            (error as? ModelProviderError)?.description.contains("OPENAI_COMPATIBLE_BASE_URL") == true
        }
        #expect {
            try ProviderFactory.make(provider: "openai", model: " ", environment: ["OPENAI_API_KEY": "sk-x"])
        } throws: { error in
            (error as? ModelProviderError)?.code == .invalidConfiguration
        }
    }

    @Test func buildsEachProviderAndTalksToALocalServer() async throws {
        let server = try LoopbackHTTPServer(script: [.sse("openai/text.sse"), .sse("anthropic/text.sse")])
        let local = try ProviderFactory.make(
            provider: "openai-compatible", model: "qwen",
            environment: ["OPENAI_COMPATIBLE_BASE_URL": "\(server.baseURL)/v1"])
        let reply = try await local.respond(ModelRequest(model: "qwen", messages: [.user("hi")]))
        #expect(reply.message.text.hasPrefix("The café"))
        #expect(server.requests.first?.headers["authorization"] == nil)

        let claude = try ProviderFactory.make(
            provider: "Anthropic", model: "claude-x", baseURL: server.baseURL,
            environment: ["ANTHROPIC_API_KEY": "sk-ant-from-environment"])
        let answer = try await claude.respond(ModelRequest(model: "claude-x", messages: [.user("hi")]))
        #expect(answer.message.text.hasPrefix("Hello!"))
        #expect(server.requests.last?.headers["x-api-key"] == "sk-ant-from-environment")
    }
}
