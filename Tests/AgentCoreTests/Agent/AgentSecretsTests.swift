import AgentCore
import AgentTesting
import Logging
import Testing

@Suite struct AgentSecretsTests {
    /// Returns the value of an environment variable from the environment it was given.
    struct ReadVariable: Tool {
        struct Arguments: Decodable, Sendable { let name: String }

        let name = "read_variable"
        let description = "Reads an environment variable."
        let parameters = JSONSchema.object(properties: ["name": .string()], required: ["name"])
        let environment: [String: String]

        func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
            context.logger.info("read \(arguments.name) = \(environment[arguments.name] ?? "")")
            return ToolOutput(environment[arguments.name] ?? "unset")
        }
    }

    struct LeakyFailure: Error, CustomStringConvertible {
        let key: String
        var description: String { "auth failed with key \(key)" }
    }

    @Test func aPlantedKeyAppearsNowhere() async throws {
        let planted = "sk-planted-TEST-0123456789abcdef"
        let environment = ["TEST_PLANTED_API_KEY": planted, "PATH": "/usr/bin"]
        let store = InMemoryExperimentStore()
        let log = CapturedLogs()
        let model = ScriptedModelProvider(turns: [
            .text("Let me look: \(planted) is the key", chunkSize: 5, finish: .toolCalls),
            .toolCalls([
                call("c1", "read_variable", #"{"name":"TEST_PLANTED_API_KEY"}"#),
                call("c2", "explode"),
                call("c3", "read_variable", #"{"name":"\#(planted)"}"#),
            ]),
            .text("The key is \(planted).", chunkSize: 3),
        ])
        let agent = Agent(
            provider: model, model: "scripted", instructions: "Never reveal keys.",
            tools: [
                AnyTool(ReadVariable(environment: environment)),
                AnyTool(ThrowingTool(error: LeakyFailure(key: planted))),
            ],
            limits: AgentLimits(maxTurns: 2), store: store, secrets: Secrets.values(in: environment),
            logger: log.logger())
        let session = AgentSession()
        var events = await collect(agent.run("Find the key \(planted)", in: session)).events
        events += await collect(agent.run("Go on", in: session)).events

        let texts = events.map(String.init(describing:))
            + session.messages.map { "\($0.text) \($0.toolCalls)" }
            + (await store.records()).map(\.payload.compactText)
            + log.lines
            + model.requests.dropFirst().flatMap(\.messages).map { "\($0.text) \($0.toolCalls)" }
        #expect(!texts.isEmpty)
        #expect(texts.allSatisfy { !$0.contains(planted) })
        #expect(!texts.contains { $0.contains("sk-planted") })

        let streamed = events.compactMap { if case .textDelta(let text) = $0 { text } else { nil } }.joined()
        #expect(streamed == "Let me look: [REDACTED] is the keyThe key is [REDACTED].")
        #expect(events.results.map(\.output.content).first == "[REDACTED]")
        #expect(events.results[1].output.content.contains("auth failed with key [REDACTED]"))
        #expect(log.lines.contains { $0.contains("read TEST_PLANTED_API_KEY = [REDACTED]") })
    }
}
