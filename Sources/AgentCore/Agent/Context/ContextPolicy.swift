/// Decides what the model is sent on each turn, so that a long run stays inside the model's context window.
///
/// The agent calls ``fit(_:)`` before every model call with its working context; the result replaces it.
/// A policy must keep every assistant message that asks for tools together with the tool results that answer it.
public protocol ContextPolicy: Sendable {
    /// Returns the context to send, compacted when it has grown too large.
    /// - Parameter context: the working context and what the provider measured of it.
    /// - Returns: the messages to keep, and a description of the compaction if one happened.
    /// - Throws: only errors that should stop the run (for example a failing model-based summarizer).
    func fit(_ context: ConversationContext) async throws -> ContextFit
}

/// The prompt size a provider reported: the first `messageCount` messages of the context took `tokens` tokens.
public struct MeasuredTokens: Sendable, Hashable, Codable {
    /// How many leading messages the measurement covers.
    public var messageCount: Int
    /// The tokens the provider counted for them (prompt plus the last answer).
    public var tokens: Int

    /// Creates a measurement of the first `messageCount` messages.
    public init(messageCount: Int, tokens: Int) {
        self.messageCount = messageCount
        self.tokens = tokens
    }
}

/// The working context handed to a ``ContextPolicy``.
public struct ConversationContext: Sendable, Hashable {
    /// The messages the model would be sent.
    public var messages: [Message]
    /// The provider-reported size of a prefix of `messages`, when the last turn reported usage.
    public var measured: MeasuredTokens?

    /// Creates a context.
    public init(messages: [Message], measured: MeasuredTokens? = nil) {
        self.messages = messages
        self.measured = measured
    }

    /// The tokens of `messages`: the provider's measurement of the prefix it covers plus the
    /// ``TokenEstimator`` heuristic for the rest, or the heuristic alone when nothing was measured.
    public var estimatedTokens: Int {
        guard let measured, measured.messageCount <= messages.count, measured.tokens > 0 else {
            return TokenEstimator.tokens(in: messages)
        }
        return measured.tokens + TokenEstimator.tokens(in: messages[measured.messageCount...])
    }

    /// How many more tokens the provider counted for the measured prefix than the heuristic estimates: tool
    /// definitions, message framing and tokenizer differences. Zero when nothing was measured. Policies can treat
    /// it as a fixed cost of every request.
    public var measuredOverhead: Int {
        guard let measured, measured.messageCount <= messages.count else { return 0 }
        return max(0, measured.tokens - TokenEstimator.tokens(in: messages[..<measured.messageCount]))
    }
}

/// What a ``ContextPolicy`` decided.
public struct ContextFit: Sendable, Hashable {
    /// The messages to send.
    public var messages: [Message]
    /// Set when older messages were folded; `nil` when the context was kept as it was.
    public var compaction: ContextCompaction?

    /// Creates a decision.
    public init(messages: [Message], compaction: ContextCompaction? = nil) {
        self.messages = messages
        self.compaction = compaction
    }
}

/// A record of one compaction of the context.
public struct ContextCompaction: Sendable, Hashable, Codable {
    /// How many messages were folded into the summary.
    public var foldedMessages: Int
    /// Estimated tokens of the context before compaction.
    public var tokensBefore: Int
    /// Estimated tokens of the context after compaction.
    public var tokensAfter: Int

    /// Creates a record.
    public init(foldedMessages: Int, tokensBefore: Int, tokensAfter: Int) {
        self.foldedMessages = foldedMessages
        self.tokensBefore = tokensBefore
        self.tokensAfter = tokensAfter
    }
}
