/// Why an agent run could not start or go on.
public enum AgentError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `run` was called on a session whose previous run has not ended.
    case sessionBusy
    /// A dollar limit was set, but the price table has no price for the model.
    case unpricedModel(String)
    /// Two tools share a name, so the model could not tell them apart.
    case duplicateToolName(String)

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .sessionBusy:
            "The agent session is already running: wait for its stream to finish before continuing it, "
                + "or use a separate AgentSession per concurrent run."
        case .unpricedModel(let model):
            "AgentLimits.maxCostUSD is set but the price table has no price for model '\(model)': "
                + "add one with PriceTable.setPrice(_:for:) or remove the dollar limit."
        case .duplicateToolName(let name):
            "Two of the agent's tools are named '\(name)': give each tool a unique name."
        }
    }
}
