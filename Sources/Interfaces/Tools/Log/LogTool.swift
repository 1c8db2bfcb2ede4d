public import AgentCore
import Foundation

/// `log`: appends the typed record of an iteration to the store and re-renders `experiment_log.md`.
///
/// Scores are not typed in by the model: they are taken from the saved evaluations named by label.
public struct LogTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        /// The iteration number (0 for the baseline).
        public var iteration: Int
        /// The workflow stage, e.g. `baseline` or `local`.
        public var stage: String
        /// What the iteration tested.
        public var hypothesis: String
        /// Dataset names or a short description.
        public var data: [String]
        /// The settings that mattered.
        public var config: [String: JSONValue]?
        /// Labels of saved evaluations.
        public var scores: [String]
        /// `keep`, `discard` or `inconclusive`.
        public var decision: String
        /// What went wrong, if anything.
        public var failures: [String]?
        /// What the next iteration should do.
        public var nextStep: String
    }

    /// The run, store and services the tool acts on.
    public let environment: InterfaceEnvironment

    public init(environment: InterfaceEnvironment) { self.environment = environment }

    public var name: String { "log" }
    public var description: String {
        "Record an iteration once it is evaluated: hypothesis, data, settings, the eval labels whose scores count, "
            + "the decision (keep/discard/inconclusive), failures and the next step. Renders experiment_log.md."
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "iteration": .integer(minimum: 0),
                "stage": .string(description: "Workflow stage, e.g. 'baseline', 'local', 'exploration'"),
                "hypothesis": .string(),
                "data": .array(of: .string(), description: "Dataset names or a short description"),
                "config": .freeformObject(description: "The settings that matter, e.g. learning_rate, epochs"),
                "scores": .array(of: .string(), description: "Labels of saved evaluations"),
                "decision": .string(allowed: IterationDecision.allCases.map(\.rawValue)),
                "failures": .array(of: .string(), description: "What went wrong, if anything"),
                "nextStep": .string(),
            ],
            required: ["iteration", "stage", "hypothesis", "data", "scores", "decision", "nextStep"])
    }

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        guard arguments.iteration >= 0 else { return .error("iteration must be 0 or more.") }
        guard let decision = IterationDecision(rawValue: arguments.decision) else {
            return .error("decision must be one of: keep, discard, inconclusive.")
        }
        for (field, value) in [
            ("stage", arguments.stage), ("hypothesis", arguments.hypothesis), ("nextStep", arguments.nextStep),
        ] where value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .error("\(field) is empty.")
        }
        let archive = EvaluationArchive(environment: environment)
        let entries = try await archive.entries()
        var scores: [ScoreRecord] = []
        for label in arguments.scores {
            guard let entry = entries.last(where: { $0.label == label }) else {
                return .error("No saved evaluation labelled '\(label)'; known: \(try await archive.knownLabels()).")
            }
            scores.append(
                ScoreRecord(
                    label: label, metric: entry.metric, value: entry.score, stderr: entry.stderr,
                    sampleCount: entry.sampleCount, comparable: entry.comparable))
        }
        if decision == .keep, !scores.contains(where: \.comparable) {
            return .error(
                "'keep' needs at least one evaluation at the sample floor among scores; evaluate with more samples "
                    + "or log the decision as inconclusive.")
        }
        let record = IterationRecord(
            iteration: arguments.iteration, stage: arguments.stage, hypothesis: arguments.hypothesis,
            data: arguments.data, config: arguments.config ?? [:], scores: scores, decision: decision,
            failures: arguments.failures ?? [], nextStep: arguments.nextStep)
        try await environment.store.append(record)
        let rendered = ExperimentLog.render(
            records: try await environment.store.records(), title: environment.task.name,
            workspace: environment.workspace)
        try Data(rendered.utf8).write(to: environment.workspace.experimentLogFile, options: .atomic)
        let scoreText = scores.map { "\($0.label) \($0.rendered)" }.joined(separator: "; ")
        return ToolOutput(
            "Logged iteration \(arguments.iteration): \(decision.rawValue)"
                + (scoreText.isEmpty ? "" : " (\(scoreText))") + ". experiment_log.md updated.")
    }
}
