import Foundation

/// A ``Summarizer`` that asks a model to rewrite the running summary, for runs where a digest loses too much.
///
/// The tokens it spends are not counted in the agent's ``AgentLimits``; use a small, cheap model.
/// When the model answers with empty text, the deterministic ``DigestSummarizer`` is used instead.
public struct ModelSummarizer: Summarizer {
    /// The provider asked for summaries (often the agent's own).
    public var provider: any ModelProvider
    /// The model asked for summaries.
    public var model: String
    /// The system instructions of the summary request.
    public var instructions: String
    /// How many characters of each folded message are shown to the model.
    public var messageCharacters: Int

    /// The default system instructions.
    public static let defaultInstructions = """
        You maintain the running summary of an agent's earlier work. Merge the new steps into the summary. \
        Keep what later steps need: decisions and their reasons, file paths, commands, numbers, results, errors \
        and what fixed them. Drop chatter. Answer with the summary only, as short bullet points.
        """

    /// Creates a model summarizer.
    /// - Parameters:
    ///   - provider: the provider to call.
    ///   - model: the model name.
    ///   - instructions: the system instructions (default ``defaultInstructions``).
    ///   - messageCharacters: characters of each folded message to show (default 1000).
    public init(
        provider: any ModelProvider, model: String, instructions: String = defaultInstructions,
        messageCharacters: Int = 1000
    ) {
        self.provider = provider
        self.model = model
        self.instructions = instructions
        self.messageCharacters = messageCharacters
    }

    /// Asks the model to merge `folded` into `previous`.
    /// - Throws: whatever the provider throws.
    public func summarize(_ folded: [Message], into previous: String?, maxCharacters: Int) async throws -> String {
        let prompt = """
            Summary so far:
            \(previous ?? "(none)")

            New steps to merge into it:
            \(render(folded))

            Write the updated summary in at most \(maxCharacters) characters.
            """
        let request = ModelRequest(
            model: model, messages: [.system(instructions), .user(prompt)],
            maxOutputTokens: maxCharacters / TokenEstimator.charactersPerToken + 64)
        let summary = try await provider.respond(request).message.text.trimmingCharacters(in: .whitespacesAndNewlines)
        guard summary.isEmpty else { return summary }
        return try await DigestSummarizer().summarize(folded, into: previous, maxCharacters: maxCharacters)
    }

    private func render(_ messages: [Message]) -> String {
        messages.map { message in
            var parts = ["\(message.role.rawValue)\(message.isError ? " (error)" : ""): "
                + DigestSummarizer.abbreviate(message.text, to: messageCharacters)]
            parts += message.toolCalls.map {
                "  call \($0.name) \(DigestSummarizer.abbreviate($0.arguments, to: messageCharacters))"
            }
            return parts.joined(separator: "\n")
        }.joined(separator: "\n")
    }
}
