/// One held-out test item, one line of the local benchmark evaluator's JSONL.
public struct DemoTestItem: Sendable, Hashable, Codable {
    /// A stable id, e.g. `"number-words-042"`.
    public var id: String
    /// The question put to the model as the user message.
    public var prompt: String
    /// The expected answer: the number in digits, without separators.
    public var target: String
    /// How the evaluator scores the answer; always `"exact"`.
    public var scorer: String
    /// The number words alone: the item's distinctive text, which the contamination guard indexes (the shared
    /// instruction in `prompt` would match every training sample).
    public var question: String

    /// A test item scored by exact match.
    ///
    /// - Parameters:
    ///   - id: a stable id.
    ///   - prompt: the question put to the model.
    ///   - target: the expected answer.
    public init(id: String, prompt: String, target: String, question: String) {
        self.id = id
        self.prompt = prompt
        self.target = target
        self.scorer = "exact"
        self.question = question
    }
}
