import AgentTesting
import AutoTrainess

/// A custom tool: typed arguments, a hand-written schema, and a call that returns what the model reads.
struct WordCount: Tool {
    struct Arguments: Decodable, Sendable { let text: String }
    let name = "word_count"
    let description = "Counts the words in a text."
    let parameters = JSONSchema.object(properties: ["text": .string(description: "The text")], required: ["text"])
    func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        ToolOutput("\(arguments.text.split(separator: " ").count) words")
    }
}

// A real model when ANTHROPIC_API_KEY is set; otherwise a scripted one, so the example runs offline.
let model: any ModelProvider = (try? AnthropicProvider()) ?? ScriptedModelProvider(turns: [
    .toolCalls([ToolCall(id: "1", name: "word_count", arguments: #"{"text": "post-train a small model"}"#)]),
    .text("The text has 4 words."),
])
let agent = Agent(
    provider: model, model: "claude-sonnet-4-5", tools: [AnyTool(WordCount())], limits: AgentLimits(maxTurns: 5))
for try await event in agent.run("How many words are in 'post-train a small model'? Use the tool.") {
    print(event)
}
