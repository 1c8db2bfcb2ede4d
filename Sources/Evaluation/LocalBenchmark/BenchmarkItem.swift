import Foundation

/// How a local benchmark item's output is scored.
public enum BenchmarkScorer: String, Sendable, Hashable, Codable, CaseIterable {
    /// The trimmed output equals the trimmed target (inner whitespace runs count as one space).
    case exact
    /// The final number in the output equals the target number (commas, `$` and `%` ignored; `####` answers
    /// preferred).
    case numeric
    /// The output matches the target, read as a regular expression.
    case regex
    /// The option letter the output picks (`B`, `(B)`, `Answer: B`) equals the target letter.
    case multipleChoice
    /// The output's code (the first fenced block, else the whole output) followed by the target's test code exits 0
    /// in a sandboxed Python subprocess before its timeout.
    case code
}

/// One line of a local benchmark JSONL file:
/// `{"id": "q1", "prompt": "…", "target": "…", "scorer": "numeric"}` (`choices` optional, for multiple choice).
public struct BenchmarkItem: Sendable, Hashable, Codable {
    /// Unique id within the benchmark.
    public var id: String
    /// What the model is asked (sent as one user message when the tokenizer has a chat template).
    public var prompt: String
    /// The expected answer; for `regex` a pattern, for `code` the test code run after the model's code.
    public var target: String
    /// How the output is scored.
    public var scorer: BenchmarkScorer
    /// Option texts for multiple choice (informational; the prompt should already show them).
    public var choices: [String]?

    /// An item.
    public init(id: String, prompt: String, target: String, scorer: BenchmarkScorer, choices: [String]? = nil) {
        self.id = id
        self.prompt = prompt
        self.target = target
        self.scorer = scorer
        self.choices = choices
    }
}
