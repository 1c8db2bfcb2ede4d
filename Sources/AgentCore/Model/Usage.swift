/// Tokens spent by one or more model calls.
public struct Usage: Sendable, Hashable, Codable {
    public var inputTokens: Int
    public var outputTokens: Int
    /// Input tokens served from the provider's prompt cache (a subset of `inputTokens`).
    public var cachedInputTokens: Int

    public init(inputTokens: Int = 0, outputTokens: Int = 0, cachedInputTokens: Int = 0) {
        self.inputTokens = inputTokens
        self.outputTokens = outputTokens
        self.cachedInputTokens = cachedInputTokens
    }

    public var totalTokens: Int { inputTokens + outputTokens }

    public static let zero = Usage()

    public static func + (lhs: Usage, rhs: Usage) -> Usage {
        Usage(
            inputTokens: lhs.inputTokens + rhs.inputTokens,
            outputTokens: lhs.outputTokens + rhs.outputTokens,
            cachedInputTokens: lhs.cachedInputTokens + rhs.cachedInputTokens
        )
    }

    public static func += (lhs: inout Usage, rhs: Usage) { lhs = lhs + rhs }
}

/// Prices of one model, in US dollars per million tokens.
public struct ModelPrice: Sendable, Hashable, Codable {
    public var inputPerMillion: Double
    public var outputPerMillion: Double
    public var cachedInputPerMillion: Double

    public init(inputPerMillion: Double, outputPerMillion: Double, cachedInputPerMillion: Double? = nil) {
        self.inputPerMillion = inputPerMillion
        self.outputPerMillion = outputPerMillion
        self.cachedInputPerMillion = cachedInputPerMillion ?? inputPerMillion
    }
}

/// Per-model prices used to turn `Usage` into dollars. Extend it with your own models.
///
/// Model names are matched exactly first, then by the longest registered prefix
/// (so `"claude-sonnet-4"` prices `"claude-sonnet-4-20250514"`).
public struct PriceTable: Sendable, Hashable, Codable {
    public var prices: [String: ModelPrice]

    public init(prices: [String: ModelPrice] = [:]) { self.prices = prices }

    /// List prices of common models at the time of writing; check your provider's page.
    public static let standard = PriceTable(prices: [
        "gpt-4o": ModelPrice(inputPerMillion: 2.5, outputPerMillion: 10, cachedInputPerMillion: 1.25),
        "gpt-4o-mini": ModelPrice(inputPerMillion: 0.15, outputPerMillion: 0.6, cachedInputPerMillion: 0.075),
        "gpt-4.1": ModelPrice(inputPerMillion: 2, outputPerMillion: 8, cachedInputPerMillion: 0.5),
        "gpt-5": ModelPrice(inputPerMillion: 1.25, outputPerMillion: 10, cachedInputPerMillion: 0.125),
        "claude-opus-4": ModelPrice(inputPerMillion: 15, outputPerMillion: 75, cachedInputPerMillion: 1.5),
        "claude-sonnet-4": ModelPrice(inputPerMillion: 3, outputPerMillion: 15, cachedInputPerMillion: 0.3),
        "claude-haiku-4": ModelPrice(inputPerMillion: 1, outputPerMillion: 5, cachedInputPerMillion: 0.1),
        "deepseek-chat": ModelPrice(inputPerMillion: 0.27, outputPerMillion: 1.1, cachedInputPerMillion: 0.07),
    ])

    /// Adds or replaces the price of `model`.
    public mutating func setPrice(_ price: ModelPrice, for model: String) { prices[model] = price }

    /// The price for `model`, by exact name or longest prefix; `nil` when unknown.
    public func price(for model: String) -> ModelPrice? {
        if let exact = prices[model] { return exact }
        return prices.filter { model.hasPrefix($0.key) }.max { $0.key.count < $1.key.count }?.value
    }

    /// The cost of `usage` on `model` in US dollars; `nil` when the model has no price (treat as unknown, not free).
    public func cost(of usage: Usage, model: String) -> Double? {
        guard let price = price(for: model) else { return nil }
        let uncached = Double(max(0, usage.inputTokens - usage.cachedInputTokens))
        return (uncached * price.inputPerMillion + Double(usage.cachedInputTokens) * price.cachedInputPerMillion
            + Double(usage.outputTokens) * price.outputPerMillion) / 1_000_000
    }
}
