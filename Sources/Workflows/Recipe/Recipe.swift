public import AgentCore
import Foundation
public import Interfaces

/// A fixed post-training recipe: one dataset built from given sources, trained with given hyperparameters.
///
/// ``RecipePolicy`` follows it through the workflow's tools when no language model drives the run.
public struct Recipe: Sendable, Hashable, Codable {
    /// The dataset's name in each iteration (`[a-z0-9_-]`).
    public var datasetName: String
    /// Source files for the `data` tool (JSON or JSONL, in the run or in one of the task's data roots).
    public var sources: [String]
    /// `alpaca` or `sharegpt`.
    public var format: String
    /// How source fields become dataset fields.
    public var mapping: FieldMapping
    /// LlamaFactory arguments for the `train` tool.
    public var hyperparameters: [String: JSONValue]
    /// The weakness the recipe targets, as written in each plan.
    public var weakness: String
    /// Why the recipe should help, as written in each plan.
    public var hypothesis: String
    /// The success criterion written in each plan (must contain a number).
    public var successCriterion: String
    /// Samples per evaluation; `nil` for the whole benchmark.
    public var evaluationLimit: Int?
    /// A sweep: with two or more entries, each iteration trains one candidate per entry concurrently (its
    /// hyperparameters merged over ``hyperparameters``), evaluates them together, and promotes at most one with
    /// Holm's correction; e.g. `[{learning_rate: 1e-4}, {learning_rate: 5e-4}]`.
    public var sweep: [[String: JSONValue]]?

    /// Creates a recipe.
    public init(
        datasetName: String = "recipe", sources: [String], format: String = "alpaca", mapping: FieldMapping,
        hyperparameters: [String: JSONValue] = [:],
        weakness: String = "the baseline evaluation shows wrong or badly formatted answers",
        hypothesis: String = "supervised examples in the benchmark's answer format teach the task and the format",
        successCriterion: String = "score above the baseline with a paired bootstrap 95% interval above 0",
        evaluationLimit: Int? = nil, sweep: [[String: JSONValue]]? = nil
    ) {
        self.sweep = sweep
        self.datasetName = datasetName
        self.sources = sources
        self.format = format
        self.mapping = mapping
        self.hyperparameters = hyperparameters
        self.weakness = weakness
        self.hypothesis = hypothesis
        self.successCriterion = successCriterion
        self.evaluationLimit = evaluationLimit
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case datasetName, sources, format, mapping, hyperparameters, weakness, hypothesis, successCriterion
        case evaluationLimit, sweep
    }

    /// The keys a recipe may have in a task file (unknown ones are refused with the known ones listed).
    public static var fieldNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// Decodes a recipe; only `sources` and `mapping` are required, the rest take the initializer's defaults.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        let defaults = Recipe(sources: [], mapping: FieldMapping())
        self.init(
            datasetName: try container.decodeIfPresent(String.self, forKey: .datasetName) ?? defaults.datasetName,
            sources: try container.decode([String].self, forKey: .sources),
            format: try container.decodeIfPresent(String.self, forKey: .format) ?? defaults.format,
            mapping: try container.decode(FieldMapping.self, forKey: .mapping),
            hyperparameters: try container.decodeIfPresent([String: JSONValue].self, forKey: .hyperparameters)
                ?? defaults.hyperparameters,
            weakness: try container.decodeIfPresent(String.self, forKey: .weakness) ?? defaults.weakness,
            hypothesis: try container.decodeIfPresent(String.self, forKey: .hypothesis) ?? defaults.hypothesis,
            successCriterion: try container.decodeIfPresent(String.self, forKey: .successCriterion)
                ?? defaults.successCriterion,
            evaluationLimit: try container.decodeIfPresent(Int.self, forKey: .evaluationLimit),
            sweep: try container.decodeIfPresent([[String: JSONValue]].self, forKey: .sweep))
    }
}
