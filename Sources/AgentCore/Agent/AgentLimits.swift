/// Limits that end a run cleanly, with ``AgentStopReason/budgetExhausted(_:)``, instead of letting it run on.
///
/// Limits are checked before each model call, so a run never stops between a tool call and its result.
/// `maxTurns` counts the model calls of one ``Agent/run(_:in:)``; `maxTotalTokens` and `maxCostUSD` count
/// the whole ``AgentSession``, across continued runs. A limit of `nil` means no limit.
public struct AgentLimits: Sendable, Hashable, Codable {
    /// The most model calls one run may make.
    public var maxTurns: Int?
    /// The most tokens (input plus output, as reported by the provider) the session may spend.
    public var maxTotalTokens: Int?
    /// The most US dollars the session may spend, priced with the agent's ``PriceTable``.
    public var maxCostUSD: Double?

    /// Creates limits.
    /// - Parameters:
    ///   - maxTurns: the most model calls per run (default 50).
    ///   - maxTotalTokens: the most tokens per session.
    ///   - maxCostUSD: the most US dollars per session; the model must then have a price.
    public init(maxTurns: Int? = 50, maxTotalTokens: Int? = nil, maxCostUSD: Double? = nil) {
        self.maxTurns = maxTurns
        self.maxTotalTokens = maxTotalTokens
        self.maxCostUSD = maxCostUSD
    }

    /// No limits at all; use only with a context policy and a provider you trust to stop.
    public static let unlimited = AgentLimits(maxTurns: nil)
}
