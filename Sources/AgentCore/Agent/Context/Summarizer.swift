/// Folds older messages into the running summary that replaces them in the context.
public protocol Summarizer: Sendable {
    /// Returns the updated running summary.
    /// - Parameters:
    ///   - folded: the messages leaving the context, oldest first; tool calls come with their results.
    ///   - previous: the running summary so far (without its header), or `nil` on the first compaction.
    ///   - maxCharacters: how long the summary may be; a longer one is cut, keeping its end.
    /// - Returns: the new summary text.
    /// - Throws: an error that should stop the run (for example a model-based summarizer's transport failure).
    func summarize(_ folded: [Message], into previous: String?, maxCharacters: Int) async throws -> String
}
