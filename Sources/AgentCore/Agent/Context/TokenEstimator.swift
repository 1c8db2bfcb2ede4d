/// Estimates how many tokens messages take, without a tokenizer.
///
/// The heuristic: one token per four characters (UTF-8 bytes would overcount non-ASCII text; characters are close
/// enough for English text, code and JSON with common tokenizers) of the text, tool names and tool arguments,
/// plus ``overheadPerMessage`` tokens for each message's role and framing. It is an estimate for keeping a
/// context under a window, not a bill: costs come from the usage the provider reports.
public enum TokenEstimator {
    /// Characters per token assumed by the heuristic.
    public static let charactersPerToken = 4
    /// Tokens added per message for its role and framing.
    public static let overheadPerMessage = 4

    /// The estimated tokens of `text`.
    public static func tokens(in text: String) -> Int {
        (text.count + charactersPerToken - 1) / charactersPerToken
    }

    /// The estimated tokens of one message, tool calls included.
    public static func tokens(in message: Message) -> Int {
        let calls = message.toolCalls.reduce(0) { $0 + tokens(in: $1.name) + tokens(in: $1.arguments) }
        return overheadPerMessage + tokens(in: message.text) + calls
    }

    /// The estimated tokens of `messages`.
    public static func tokens(in messages: some Sequence<Message>) -> Int {
        messages.reduce(0) { $0 + tokens(in: $1) }
    }
}
