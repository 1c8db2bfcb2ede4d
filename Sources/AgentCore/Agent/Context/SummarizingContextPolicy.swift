/// The default ``ContextPolicy``: keeps the instructions, the original task and the most recent turns, and folds
/// older turns into one running summary message.
///
/// Nothing changes while the context's estimated tokens (see ``ConversationContext/estimatedTokens``) stay at or
/// under ``maxTokens``. Past it, whole turns are folded, oldest first, until the context fits ``targetTokens``
/// (leaving room to grow before the next compaction); what the provider measured beyond the heuristic
/// (``ConversationContext/measuredOverhead``) counts as a fixed cost. A turn is a user or assistant message
/// together with the tool results that answer it, so a tool call is never separated from its results. The latest
/// turn is always kept, even when it alone is larger than the target. The summary is a user message that starts
/// with ``summaryHeader``, placed right after the task, and limited to ``maxSummaryTokens``.
public struct SummarizingContextPolicy: ContextPolicy {
    /// The first line of the summary message; the policy finds its earlier summary by it.
    public static let summaryHeader = "[Summary of earlier turns, folded to keep the context small]"

    /// Compact when the context is estimated above this many tokens.
    public var maxTokens: Int
    /// After compaction the context aims to be at most this many tokens.
    public var targetTokens: Int
    /// The most tokens the summary message may take.
    public var maxSummaryTokens: Int
    /// Writes the running summary.
    public var summarizer: any Summarizer

    /// Creates a policy for a window of `maxTokens`.
    /// - Parameters:
    ///   - maxTokens: compact above this estimate (default 100,000; set it below the model's window minus the
    ///     tool definitions and the longest answer you expect).
    ///   - targetTokens: the size to compact down to (default 60 % of `maxTokens`).
    ///   - maxSummaryTokens: the summary's size limit (default 12.5 % of `maxTokens`).
    ///   - summarizer: writes the summary (default ``DigestSummarizer``, no model call).
    public init(
        maxTokens: Int = 100_000, targetTokens: Int? = nil, maxSummaryTokens: Int? = nil,
        summarizer: any Summarizer = DigestSummarizer()
    ) {
        self.maxTokens = maxTokens
        self.targetTokens = targetTokens ?? maxTokens * 6 / 10
        self.maxSummaryTokens = maxSummaryTokens ?? maxTokens / 8
        self.summarizer = summarizer
    }

    /// Returns `context` unchanged while it fits ``maxTokens``, else with older turns folded into the summary.
    /// - Throws: whatever the summarizer throws.
    public func fit(_ context: ConversationContext) async throws -> ContextFit {
        let before = context.estimatedTokens
        let messages = context.messages
        guard before > maxTokens else { return ContextFit(messages: messages) }

        var headEnd = messages.prefix { $0.role == .system }.count
        if headEnd < messages.count, messages[headEnd].role == .user, !Self.isSummary(messages[headEnd]) {
            headEnd += 1
        }
        var previous: String?
        var bodyStart = headEnd
        if bodyStart < messages.count, Self.isSummary(messages[bodyStart]) {
            previous = String(messages[bodyStart].text.dropFirst(Self.summaryHeader.count + 1))
            bodyStart += 1
        }
        let starts = Self.turnStarts(messages, from: bodyStart)
        guard starts.count > 1 else { return ContextFit(messages: messages) }

        let overhead = context.measuredOverhead
        let fixed = overhead + TokenEstimator.tokens(in: messages[..<headEnd]) + maxSummaryTokens
        var keptFrom = starts.count - 1
        var kept = TokenEstimator.tokens(in: messages[starts[keptFrom]...])
        while keptFrom > 0 {
            let earlier = TokenEstimator.tokens(in: messages[starts[keptFrom - 1]..<starts[keptFrom]])
            guard fixed + kept + earlier <= targetTokens else { break }
            kept += earlier
            keptFrom -= 1
        }
        guard keptFrom > 0 else { return ContextFit(messages: messages) }

        let folded = Array(messages[bodyStart..<starts[keptFrom]])
        let limit = max(0, maxSummaryTokens * TokenEstimator.charactersPerToken - Self.summaryHeader.count - 1)
        let summary = try await summarizer.summarize(folded, into: previous, maxCharacters: limit)
        let clipped = summary.count <= limit ? summary : "…" + summary.suffix(max(0, limit - 1))
        let result = Array(messages[..<headEnd]) + [.user(Self.summaryHeader + "\n" + clipped)]
            + messages[starts[keptFrom]...]
        let compaction = ContextCompaction(
            foldedMessages: folded.count, tokensBefore: before,
            tokensAfter: overhead + TokenEstimator.tokens(in: result))
        return ContextFit(messages: result, compaction: compaction)
    }

    static func isSummary(_ message: Message) -> Bool {
        message.role == .user && message.text.hasPrefix(summaryHeader)
    }

    /// Indices where turns start at or after `start`: every message that is not a tool result starts one.
    static func turnStarts(_ messages: [Message], from start: Int) -> [Int] {
        (start..<messages.count).filter { $0 == start || messages[$0].role != .tool }
    }
}
