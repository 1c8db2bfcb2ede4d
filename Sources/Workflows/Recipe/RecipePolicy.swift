public import AgentCore
public import Foundation
import Interfaces

/// A deterministic policy that drives the workflow's tools by following a ``Recipe``: the mode used when no
/// language model is configured (offline runs, CI, the demo).
///
/// It is a ``ModelProvider``, so it runs through the same agent loop, rules, budget and store as a model would.
/// Each turn it rebuilds the run's progress from the store and takes the next step of the stage it is in:
/// stage 0 states the task; stage 1 evaluates the base model; stages 2 and 3 run iterations (plan → data build →
/// data validate → train → eval → log). A step that fails ends the iteration with a `discard` log entry naming the
/// failure, so the workflow's exits (iteration limit, stall) still end the run.
public struct RecipePolicy: ModelProvider {
    /// The recipe followed in every iteration.
    public let recipe: Recipe
    /// The run's store, read (never written) to know where the run stands.
    public let store: any ExperimentStore
    /// The run folder.
    public let runDirectory: URL

    /// The model name under which the policy's turns are recorded.
    public static let modelName = "recipe-policy"

    /// Creates a policy over the run's store.
    public init(recipe: Recipe, store: any ExperimentStore, runDirectory: URL) {
        self.recipe = recipe
        self.store = store
        self.runDirectory = runDirectory
    }

    /// Answers with the next step: a text (ending the stage's session) or one tool call.
    public func stream(_ request: ModelRequest) -> AsyncThrowingStream<ModelEvent, any Error> {
        .producing { continuation in
            let records = try await store.records()
            let progress = RunState.rebuild(from: records, runDirectory: runDirectory).progress
            switch nextStep(progress: progress, messages: request.messages) {
            case .say(let text):
                continuation.yield(.textDelta(text))
                continuation.yield(.finished(.stop))
            case .call(let name, let arguments):
                let id = "recipe-\(records.count)-\(request.messages.count)"
                continuation.yield(.toolCall(ToolCall(id: id, name: name, arguments: arguments.compactText)))
                continuation.yield(.finished(.toolCalls))
            }
        }
    }

    /// One step of the recipe.
    enum Step: Equatable {
        case say(String)
        case call(String, JSONValue)
    }

    /// The next step, from the run's progress and the current session's messages.
    func nextStep(progress: IterationProgress, messages: [Message]) -> Step {
        let last = Self.lastToolExchange(in: messages)
        switch progress.stage {
        case Workflow.AutoTrainessStage.define:
            let task = messages.first { $0.role == .user }?.text ?? ""
            return .say(
                "Task defined (recipe policy, no language model): \(task.prefix(400)) "
                    + "The recipe trains on \(recipe.sources.joined(separator: ", ")) with the task's evaluator.")
        case Workflow.AutoTrainessStage.baseline:
            if let score = progress.baselineScore { return .say(String(format: "Baseline recorded: %.3f.", score)) }
            if let last { return .say("The baseline evaluation did not succeed: \(Self.firstLine(last.result.text))") }
            return .call("eval", evaluation(iteration: 0, model: "base", label: "baseline"))
        default:
            return iterationStep(progress: progress, last: last)
        }
    }

    private func iterationStep(progress: IterationProgress, last: (call: ToolCall, result: Message)?) -> Step {
        let n = progress.iteration
        if !progress.planned || progress.lastIterationLogged {
            if let last, last.call.name == "log" {
                return .say("Iteration \(n) logged: \(Self.firstLine(last.result.text))")
            }
            if let last, last.call.name == "plan", last.result.isError {
                return .say("The plan was refused: \(Self.firstLine(last.result.text))")
            }
            return .call("plan", plan(iteration: n + 1))
        }
        if let last, last.result.isError {
            if last.call.name == "log" { return .say("Logging failed: \(Self.firstLine(last.result.text))") }
            return .call("log", log(iteration: n, decision: "discard", failure: Self.firstLine(last.result.text)))
        }
        if progress.approvedDataset == nil {
            if let last, last.call.name == "data", last.call.arguments.contains(#""action":"build""#) {
                return .call("data", ["action": "validate", "iteration": .number(Double(n)), "dataset": name])
            }
            if let last, last.call.name == "data" {
                return .call("log", log(iteration: n, decision: "discard", failure: Self.firstLine(last.result.text)))
            }
            return .call("data", build(iteration: n))
        }
        guard let candidate = progress.trainedCandidate else {
            var arguments: [String: JSONValue] = [
                "iteration": .number(Double(n)), "datasets": [name], "startFrom": "base",
            ]
            if !recipe.hyperparameters.isEmpty { arguments["hyperparameters"] = .object(recipe.hyperparameters) }
            if let sweep = recipe.sweep, sweep.count > 1 {
                arguments["candidates"] = .array(
                    sweep.map { entry in
                        .object(["name": .string(Self.name(of: entry)), "hyperparameters": .object(entry)])
                    })
            }
            return .call("train", .object(arguments))
        }
        guard progress.evaluated else {
            let trained = Self.candidates(of: n, in: progress)
            if trained.count > 1 {
                var arguments = evaluation(iteration: n, model: candidate, label: "iter\(n)").objectValue ?? [:]
                arguments["model"] = nil
                arguments["models"] = .array(trained.map(JSONValue.string))
                return .call("eval", .object(arguments))
            }
            return .call("eval", evaluation(iteration: n, model: candidate, label: "iter\(n)"))
        }
        let evaluated = Self.candidates(of: n, in: progress)
        return .call(
            "log",
            log(iteration: n, decision: progress.promotedThisIteration ? "keep" : "discard",
                labels: evaluated.count > 1 ? evaluated : ["iter\(n)"]))
    }

    private var name: JSONValue { .string(recipe.datasetName) }

    private func evaluation(iteration: Int, model: String, label: String) -> JSONValue {
        var arguments: [String: JSONValue] = [
            "iteration": .number(Double(iteration)), "model": .string(model), "label": .string(label),
        ]
        if let limit = recipe.evaluationLimit { arguments["limit"] = .number(Double(limit)) }
        if iteration > 0 { arguments["compareWith"] = "baseline" }
        return .object(arguments)
    }

    private func plan(iteration: Int) -> JSONValue {
        [
            "iteration": .number(Double(iteration)), "weakness": .string(recipe.weakness), "evidence": ["baseline"],
            "hypothesis": .string(recipe.hypothesis),
            "changes": .array(
                ["train on \(recipe.datasetName) built from \(recipe.sources.joined(separator: ", "))"]
                    .map(JSONValue.string)),
            "successCriterion": .string(recipe.successCriterion),
        ]
    }

    private func build(iteration: Int) -> JSONValue {
        var arguments: [String: JSONValue] = [
            "action": "build", "iteration": .number(Double(iteration)), "dataset": name,
            "sources": .array(recipe.sources.map(JSONValue.string)), "format": .string(recipe.format),
        ]
        arguments["mapping"] = (try? JSONValue(encoding: recipe.mapping)) ?? [:]
        return .object(arguments)
    }

    /// The jobs of iteration `n` the run registered as candidates (saved steps left out), in job order.
    static func candidates(of n: Int, in progress: IterationProgress) -> [String] {
        progress.trainedModels.keys.filter { $0.hasPrefix("iter\(n)-job") && !$0.contains("-step") }
            .sorted { $0.count != $1.count ? $0.count < $1.count : $0 < $1 }
    }

    /// A sweep entry's name: its settings, e.g. `learning_rate=0.0001`.
    static func name(of entry: [String: JSONValue]) -> String {
        entry.keys.sorted().map { "\($0)=\(entry[$0]!.compactText)" }.joined(separator: ",")
    }

    private func log(
        iteration: Int, decision: String, failure: String? = nil, labels: [String]? = nil
    ) -> JSONValue {
        let scores = ["baseline"] + (labels ?? ["iter\(iteration)"])
        var arguments: [String: JSONValue] = [
            "iteration": .number(Double(iteration)), "stage": "recipe", "hypothesis": .string(recipe.hypothesis),
            "data": [name], "scores": .array(scores.map(JSONValue.string)), "decision": .string(decision),
            "nextStep": .string(decision == "keep" ? "stop: the recipe improved on the baseline" : "stop"),
        ]
        if let failure {
            arguments["failures"] = [.string(failure)]
            arguments["scores"] = ["baseline"]
        }
        if !recipe.hyperparameters.isEmpty { arguments["config"] = .object(recipe.hyperparameters) }
        return .object(arguments)
    }

    /// The session's last tool call and its result, when the last message is that result.
    private static func lastToolExchange(in messages: [Message]) -> (call: ToolCall, result: Message)? {
        guard let result = messages.last, result.role == .tool, let id = result.toolCallID else { return nil }
        let call = messages.reversed().lazy.flatMap(\.toolCalls).first { $0.id == id }
        return call.map { ($0, result) }
    }

    private static func firstLine(_ text: String) -> String {
        String(text.split(separator: "\n", omittingEmptySubsequences: true).first ?? "").prefix(300).description
    }
}
