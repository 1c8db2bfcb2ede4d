import AgentCore
import Foundation

/// What a run has spent: the one usage type of the budget clock, the run state and `status`.
public struct BudgetUsage: Sendable, Hashable, Codable {
    /// Wall-clock seconds the run has been active (time between a kill and its resume does not count).
    public var elapsedSeconds: Double
    /// Wall-clock seconds of finished training jobs.
    public var trainingSeconds: Double
    /// Seconds spent in evaluations.
    public var evaluationSeconds: Double
    /// GPU-hours used by finished or stopped jobs.
    public var gpuHours: Double
    /// Model tokens (input + output).
    public var tokens: Int
    /// Dollars of priced model calls.
    public var usd: Double
    /// Tokens of model calls with no known price (their cost is unknown, not zero).
    public var unpricedTokens: Int

    /// Creates a usage.
    public init(
        elapsedSeconds: Double = 0, trainingSeconds: Double = 0, evaluationSeconds: Double = 0, gpuHours: Double = 0,
        tokens: Int = 0, usd: Double = 0, unpricedTokens: Int = 0
    ) {
        self.elapsedSeconds = elapsedSeconds
        self.trainingSeconds = trainingSeconds
        self.evaluationSeconds = evaluationSeconds
        self.gpuHours = gpuHours
        self.tokens = tokens
        self.usd = usd
        self.unpricedTokens = unpricedTokens
    }

    /// Decodes a usage; fields a 0.1.0 record did not have (the seconds) default to 0.
    public init(from decoder: any Decoder) throws {
        let c = try decoder.container(keyedBy: CodingKeys.self)
        elapsedSeconds = try c.decodeIfPresent(Double.self, forKey: .elapsedSeconds) ?? 0
        trainingSeconds = try c.decodeIfPresent(Double.self, forKey: .trainingSeconds) ?? 0
        evaluationSeconds = try c.decodeIfPresent(Double.self, forKey: .evaluationSeconds) ?? 0
        gpuHours = try c.decodeIfPresent(Double.self, forKey: .gpuHours) ?? 0
        tokens = try c.decodeIfPresent(Int.self, forKey: .tokens) ?? 0
        usd = try c.decodeIfPresent(Double.self, forKey: .usd) ?? 0
        unpricedTokens = try c.decodeIfPresent(Int.self, forKey: .unpricedTokens) ?? 0
    }
}
