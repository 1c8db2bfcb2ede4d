public import AgentCore
public import DataEngine
public import Evaluation
import Foundation

/// Keeps only the rows whose answer passes one of the benchmark's scorers against a reference taken from the same
/// row: `build` checks each source row's mapped answer (e.g. a solution against its `final_answer` field), `filter`
/// each dataset row's answer (alpaca `output`, the last assistant turn, or preference `chosen`).
public struct RowVerifier: Sendable, Hashable, Codable {
    /// The scorer: exact, numeric, regex (the reference is the pattern) or multiple choice.
    public var scorer: BenchmarkScorer
    /// The reference: a field of the row or a template over its fields (`final_answer`, `{answer}`).
    public var reference: String

    /// - Throws: ``DatasetBuildError`` for a scorer name that is not exact, numeric, regex or multiple_choice
    ///   (`code` needs a sandbox per row and is not offered here).
    public init(scorer name: String, reference: String) throws {
        let raw = name == "multiple_choice" ? "multipleChoice" : name
        guard let scorer = BenchmarkScorer(rawValue: raw), scorer != .code else {
            throw DatasetBuildError("verifier '\(name)': use exact, numeric, regex or multiple_choice")
        }
        self.scorer = scorer
        self.reference = reference
    }

    /// Whether `answer` passes against the reference read from `row`.
    /// - Throws: ``DatasetBuildError`` naming the reference field when the row lacks it.
    public func accepts(_ answer: String, row: JSONValue) throws -> Bool {
        let target = try DatasetBuilder.resolve(reference, in: row)
        let item = BenchmarkItem(id: "row", prompt: "", target: target, scorer: scorer)
        return (AnswerMatching.score(answer, for: item) ?? 0) >= 1
    }

    /// The answer of a dataset row in `format`: alpaca `output`, sharegpt's last assistant turn, preference `chosen`.
    public static func answer(of row: JSONValue, format: DatasetFormat) -> String {
        switch format {
        case .alpaca: return row["output"]?.stringValue ?? ""
        case .preference: return row["chosen"]?.stringValue ?? row["output"]?.stringValue ?? ""
        case .sharegpt:
            let turns = row["conversations"]?.arrayValue ?? row["messages"]?.arrayValue ?? []
            let answers = turns.filter {
                let role = $0["from"]?.stringValue ?? $0["role"]?.stringValue
                return role == "gpt" || role == "assistant"
            }
            return answers.last.flatMap { $0["value"]?.stringValue ?? $0["content"]?.stringValue } ?? ""
        }
    }
}
