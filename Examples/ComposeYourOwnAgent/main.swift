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

// Runs offline on a scripted model. For a real one, use e.g. AnthropicProvider(model: "claude-sonnet-4-5").
let model = ScriptedModelProvider(turns: [
    .toolCalls([ToolCall(id: "1", name: "word_count", arguments: #"{"text": "post-train a small model"}"#)]),
    .text("The text has 4 words."),
])
let agent = Agent(provider: model, model: "scripted", tools: [AnyTool(WordCount())], limits: AgentLimits(maxTurns: 5))
for try await event in agent.run("How many words are in 'post-train a small model'?") {
    print(event)
}
