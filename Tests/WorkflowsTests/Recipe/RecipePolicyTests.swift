import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Testing

@testable import Workflows

@Suite("RecipePolicy decisions")
struct RecipePolicyTests {
    static let recipe = Recipe(
        datasetName: "qa", sources: ["/data/qa.jsonl"],
        mapping: FieldMapping(instruction: "{question}", output: "{answer}"),
        hyperparameters: ["max_steps": 8], evaluationLimit: 30)

    let policy = RecipePolicy(
        recipe: RecipePolicyTests.recipe, store: InMemoryExperimentStore(),
        runDirectory: URL(fileURLWithPath: "/runs/r1"))

    /// The progress after `events`, starting in `stage`.
    static func progress(_ stage: String, _ events: [ProgressEvent] = []) -> IterationProgress {
        IterationProgress(replaying: [.stageEntered(stage)] + events)
    }

    /// A session whose last messages are the call `name(arguments)` and its result.
    static func session(after name: String, arguments: String = "{}", result: String, isError: Bool = false)
        -> [Message]
    {
        let call = ToolCall(id: "c1", name: name, arguments: arguments)
        return [
            .system("rules"), .user("Task: toy"), .assistant("", toolCalls: [call]),
            Message(role: .tool, text: result, toolCallID: "c1", isError: isError),
        ]
    }

    static let fresh: [Message] = [.system("rules"), .user("Task: improve toy QA")]

    /// The tool name and arguments of a call step; fails the test for a text step.
    static func call(
        _ step: RecipePolicy.Step, sourceLocation: SourceLocation = #_sourceLocation
    ) -> (String, JSONValue)? {
        guard case .call(let name, let arguments) = step else {
            Issue.record("expected a tool call, got \(step)", sourceLocation: sourceLocation)
            return nil
        }
        return (name, arguments)
    }

    static func text(_ step: RecipePolicy.Step, sourceLocation: SourceLocation = #_sourceLocation) -> String? {
        guard case .say(let text) = step else {
            Issue.record("expected a text answer, got \(step)", sourceLocation: sourceLocation)
            return nil
        }
        return text
    }

    @Test func defineStageAnswersWithTheTaskAndNoToolCall() throws {
        let step = policy.nextStep(progress: Self.progress("define"), messages: Self.fresh)
        let text = try #require(Self.text(step))
        #expect(text.contains("recipe policy"))
        #expect(text.contains("improve toy QA"))
        #expect(text.contains("/data/qa.jsonl"))
    }

    @Test func baselineStageEvaluatesTheBaseThenAnswersOnceTheScoreIsRecorded() throws {
        let (name, arguments) = try #require(
            Self.call(policy.nextStep(progress: Self.progress("baseline"), messages: Self.fresh)))
        #expect(name == "eval")
        #expect(arguments["model"] == "base")
        #expect(arguments["label"] == "baseline")
        #expect(arguments["iteration"]?.intValue == 0)
        #expect(arguments["limit"]?.intValue == 30)
        #expect(arguments["compareWith"] == nil)

        let recorded = Self.progress("baseline", [.baselineEvaluated(score: 0.25)])
        let done = policy.nextStep(progress: recorded, messages: Self.session(after: "eval", result: "baseline: 0.250"))
        #expect(Self.text(done) == "Baseline recorded: 0.250.")
    }

    @Test func failedBaselineEvaluationEndsTheSessionWithTheFailure() throws {
        let step = policy.nextStep(
            progress: Self.progress("baseline"),
            messages: Self.session(after: "eval", result: "evaluation failed: CUDA missing\nmore", isError: true))
        let text = try #require(Self.text(step))
        #expect(text.contains("did not succeed"))
        #expect(text.contains("evaluation failed: CUDA missing"))
        #expect(!text.contains("more"))
    }

    @Test func localIterationFollowsPlanDataValidateTrainEvalLog() throws {
        var events: [ProgressEvent] = [.baselineEvaluated(score: 0.1)]
        func next(after name: String?, arguments: String = "{}") throws -> (String, JSONValue) {
            let messages = name.map { Self.session(after: $0, arguments: arguments, result: "ok") } ?? Self.fresh
            let step = policy.nextStep(progress: Self.progress("local", events), messages: messages)
            return try #require(Self.call(step))
        }

        let plan = try next(after: nil)
        #expect(plan.0 == "plan")
        #expect(plan.1["iteration"]?.intValue == 1)
        #expect(plan.1["successCriterion"]?.stringValue == Self.recipe.successCriterion)

        events.append(.planned)
        let build = try next(after: "plan")
        #expect(build.0 == "data")
        #expect(build.1["action"] == "build")
        #expect(build.1["dataset"] == "qa")
        #expect(build.1["sources"] == ["/data/qa.jsonl"])
        #expect(build.1["mapping"]?["instruction"] == "{question}")

        let validate = try next(after: "data", arguments: build.1.compactText)
        #expect(validate.0 == "data")
        #expect(validate.1["action"] == "validate")
        #expect(validate.1["iteration"]?.intValue == 1)

        events.append(.dataApproved(DatasetApproval(name: "qa", file: "/runs/r1/iterations/1/data/qa.json")))
        let train = try next(after: "data", arguments: validate.1.compactText)
        #expect(train.0 == "train")
        #expect(train.1["datasets"] == ["qa"])
        #expect(train.1["startFrom"] == "base")
        #expect(train.1["hyperparameters"]?["max_steps"]?.intValue == 8)

        events.append(.trained(candidateID: "iter1-job1", modelPath: "/runs/r1/checkpoints/iter1-job1"))
        let eval = try next(after: "train")
        #expect(eval.0 == "eval")
        #expect(eval.1["model"] == "iter1-job1")
        #expect(eval.1["label"] == "iter1")
        #expect(eval.1["compareWith"] == "baseline")

        events.append(.evaluated(candidateID: "iter1-job1", promoted: true))
        let keep = try next(after: "eval")
        #expect(keep.0 == "log")
        #expect(keep.1["decision"] == "keep")
        #expect(keep.1["scores"] == ["baseline", "iter1"])
        #expect(keep.1["failures"] == nil)

        events.removeLast()
        events.append(.evaluated(candidateID: "iter1-job1", promoted: false))
        let discard = try next(after: "eval")
        #expect(discard.0 == "log")
        #expect(discard.1["decision"] == "discard")
    }

    @Test func failedToolResultLogsADiscardNamingTheFailure() throws {
        let progress = Self.progress(
            "local",
            [.planned, .dataApproved(DatasetApproval(name: "qa", file: "/runs/r1/iterations/1/data/qa.json"))])
        let step = policy.nextStep(
            progress: progress,
            messages: Self.session(after: "train", result: "Training failed: out of memory\ntraceback", isError: true))
        let (name, arguments) = try #require(Self.call(step))
        #expect(name == "log")
        #expect(arguments["decision"] == "discard")
        #expect(arguments["failures"] == ["Training failed: out of memory"])
        #expect(arguments["scores"] == ["baseline"])
    }

    @Test func rejectedDatasetLogsADiscardInsteadOfTraining() throws {
        let step = policy.nextStep(
            progress: Self.progress("local", [.planned]),
            messages: Self.session(
                after: "data", arguments: #"{"action":"validate","iteration":1,"dataset":"qa"}"#,
                result: "qa: reject (contamination)"))
        let (name, arguments) = try #require(Self.call(step))
        #expect(name == "log")
        #expect(arguments["decision"] == "discard")
        #expect(arguments["failures"] == ["qa: reject (contamination)"])
    }

    @Test func afterTheLogTheSessionEndsWithText() throws {
        let progress = Self.progress(
            "local",
            [
                .planned, .trained(candidateID: "iter1-job1", modelPath: "/m"),
                .evaluated(candidateID: "iter1-job1", promoted: false), .logged,
            ])
        let step = policy.nextStep(
            progress: progress, messages: Self.session(after: "log", result: "Logged iteration 1: discard"))
        #expect(Self.text(step) == "Iteration 1 logged: Logged iteration 1: discard")

        let refused = policy.nextStep(
            progress: Self.progress("local"),
            messages: Self.session(after: "plan", result: "Refused: log iteration 1 first", isError: true))
        #expect(Self.text(refused) == "The plan was refused: Refused: log iteration 1 first")
    }
}
