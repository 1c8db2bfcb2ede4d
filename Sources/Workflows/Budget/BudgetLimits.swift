import AgentCore
public import Foundation
public import Interfaces

/// The limits of one run: a wall-clock deadline and optional caps on GPU-hours, model tokens and dollars.
public struct BudgetLimits: Sendable, Hashable, Codable {
    /// The run must be over by this time, final evaluation and promotion included.
    public var deadline: Date
    /// Seconds kept back from every job for the final evaluation and promotion.
    public var finalReserve: TimeInterval
    /// GPU-hours the run may spend; `nil` for no cap.
    public var gpuHours: Double?
    /// Model tokens (input + output) the agent may spend; `nil` for no cap.
    public var tokens: Int?
    /// US dollars the agent's model calls may cost; `nil` for no cap.
    public var usd: Double?

    /// Creates limits.
    public init(
        deadline: Date, finalReserve: TimeInterval = 1800, gpuHours: Double? = nil, tokens: Int? = nil,
        usd: Double? = nil
    ) {
        self.deadline = deadline
        self.finalReserve = finalReserve
        self.gpuHours = gpuHours
        self.tokens = tokens
        self.usd = usd
    }
}

extension BudgetLimits {
    /// The limits a run's manifest sets: its deadline is the run's creation time plus its total seconds, so a resumed
    /// run keeps the same deadline.
    public init(manifest: RunManifest, gpuHours: Double? = nil, tokens: Int? = nil) {
        self.init(
            deadline: manifest.createdAt.addingTimeInterval(manifest.budget.totalSeconds),
            finalReserve: manifest.budget.reserveSeconds, gpuHours: gpuHours, tokens: tokens,
            usd: manifest.budget.maxCostUSD)
    }
}

/// The budget at one moment: limits, spending, time left, and whether it is exhausted.
public struct BudgetSnapshot: Sendable, Hashable, Codable {
    /// When the snapshot was taken.
    public var now: Date
    /// The run's limits.
    public var limits: BudgetLimits
    /// What has been spent.
    public var usage: BudgetUsage

    /// Creates a snapshot.
    public init(now: Date, limits: BudgetLimits, usage: BudgetUsage) {
        self.now = now
        self.limits = limits
        self.usage = usage
    }

    /// Seconds until the deadline (never negative).
    public var remainingSeconds: TimeInterval { max(0, limits.deadline.timeIntervalSince(now)) }

    /// Seconds a training or evaluation job may use: the time left minus the final reserve (never negative).
    public var jobSeconds: TimeInterval { max(0, remainingSeconds - limits.finalReserve) }

    /// GPU-hours left, or `nil` when there is no cap.
    public var remainingGPUHours: Double? { limits.gpuHours.map { max(0, $0 - usage.gpuHours) } }

    /// Why the budget is exhausted, or `nil` while some remains.
    public var exhaustion: String? {
        if remainingSeconds <= 0 { return "the deadline has passed" }
        if let cap = limits.gpuHours, usage.gpuHours >= cap {
            return "GPU-hours are spent (\(Self.number(usage.gpuHours)) of \(Self.number(cap)))"
        }
        if let cap = limits.tokens, usage.tokens >= cap { return "model tokens are spent (\(usage.tokens) of \(cap))" }
        if let cap = limits.usd, usage.usd >= cap {
            return "the dollar budget is spent ($\(Self.number(usage.usd)) of $\(Self.number(cap)))"
        }
        return nil
    }

    /// Whether nothing more may be started.
    public var isExhausted: Bool { exhaustion != nil }

    /// The one line the agent sees every turn, e.g.
    /// `Budget: 3h12m left (30m reserved for final evaluation), 2h42m for jobs · GPU 1.20/8.00 h · tokens 12000`.
    public var summary: String {
        var parts = [
            "Budget: \(DurationText.format(remainingSeconds)) left (\(DurationText.format(limits.finalReserve)) reserved for "
                + "final evaluation), \(DurationText.format(jobSeconds)) for jobs"
        ]
        if let cap = limits.gpuHours {
            parts.append("GPU \(Self.number(usage.gpuHours))/\(Self.number(cap)) h")
        } else if usage.gpuHours > 0 {
            parts.append("GPU \(Self.number(usage.gpuHours)) h")
        }
        parts.append("tokens \(usage.tokens)" + (limits.tokens.map { "/\($0)" } ?? ""))
        if usage.usd > 0 || limits.usd != nil {
            parts.append("$\(Self.number(usage.usd))" + (limits.usd.map { "/$\(Self.number($0))" } ?? ""))
        }
        if let exhaustion { parts.append("EXHAUSTED: \(exhaustion)") }
        return parts.joined(separator: " · ")
    }

    static func number(_ value: Double) -> String { String(format: "%.2f", value) }
}
