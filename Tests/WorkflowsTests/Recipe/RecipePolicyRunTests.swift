import AgentCore
import AgentTesting
import Evaluation
import Foundation
import Interfaces
import Testing
import TrainingBackends

@testable import Workflows

/// The recipe policy driving the real ``WorkflowRunner`` (rules, registry, budget, store) over fake training and
/// evaluation: `quality` in the recipe's hyperparameters decides how ``ScoringEvaluator/markers(_:size:)`` scores the candidate.
@Suite("RecipePolicy through the WorkflowRunner")
struct RecipePolicyRunTests {
    final class Fixture: Sendable {
        let directory: TemporaryDirectory
        let base: URL
        let clock = ManualClock()

        init() throws {
            directory = try TemporaryDirectory()
            base = try directory.makeModel("models/base", marker: "base weights")
            try directory.write("print('score')\n", to: "task/evaluate.py")
            let rows = (0..<20).map { #"{"question": "q\#($0)?", "answer": "a\#($0)"}"# }
            try directory.write(rows.joined(separator: "\n") + "\n", to: "data/qa.jsonl")
        }

        /// Runs the whole workflow with the recipe policy and returns the outcome and the run's records.
        func run(quality: String, backend: any TrainingBackend = loadableModelBackend()) async throws
            -> (WorkflowOutcome, [ExperimentRecord])
        {
            let (runner, store) = try runner(quality: quality, backend: backend)
            let outcome = try await runner.run(task: "Improve toy QA accuracy.")
            return (outcome, try await store.records())
        }

        /// Opens the run folder (creating it the first time) and assembles the runner, as a fresh process would.
        func runner(quality: String, backend: any TrainingBackend) throws -> (WorkflowRunner, JSONLExperimentStore) {
            let task = TaskProfile(
                name: "toy", baseModel: base.path, template: "qwen", benchmark: "toy",
                dataRoots: [directory.path("data").path])
            let (workspace, _) = try Workspace.create(
                at: directory.path("runs/r1"),
                manifest: RunManifest(runID: "r1", task: task, budget: RunBudget(totalSeconds: 3600)))
            let store = try workspace.openStore()
            let registry = try CheckpointRegistry(runDirectory: workspace.root, baseModel: base)
            let budget = BudgetClock(
                limits: BudgetLimits(deadline: clock.now().addingTimeInterval(3600), finalReserve: 600), clock: clock)
            let environment = InterfaceEnvironment(
                workspace: workspace, task: task, store: store,
                backend: BudgetedTrainingBackend(base: backend, budget: budget),
                evaluator: BudgetedEvaluator(base: ScoringEvaluator.markers(), budget: budget), checker: CountingChecker())
            let workflow = Workflow.autoTrainess(
                AutoTrainessWorkflowOptions(
                    commonTools: ["read_file", "list_dir"], maxIterations: 1, registry: registry,
                    integrity: try IntegrityGuard(protecting: ["evaluate.py"], in: directory.path("task")),
                    budget: budget))
            let recipe = Recipe(
                datasetName: "qa", sources: [directory.path("data/qa.jsonl").path],
                mapping: FieldMapping(instruction: "{question}", output: "{answer}"),
                hyperparameters: ["quality": .string(quality)])
            let runner = WorkflowRunner(
                workflow: workflow,
                provider: RecipePolicy(recipe: recipe, store: store, runDirectory: workspace.root),
                model: RecipePolicy.modelName, tools: InterfaceTools.all(in: environment), store: store,
                registry: registry, budget: budget, secrets: [])
            return (runner, store)
        }
    }

    static func toolCalls(_ records: [ExperimentRecord]) -> [String] {
        records.filter { $0.kind == "agent.tool_call" }.compactMap { $0.payload["name"]?.stringValue }
    }

    @Test func aBetterCandidateIsPromotedAndTheRunFinishesAfterOneIteration() async throws {
        let fixture = try Fixture()
        let (outcome, records) = try await fixture.run(quality: "good")
        #expect(outcome.ending == .finished)
        #expect(outcome.best == "iter1-job1")
        #expect(outcome.finalModelValid)
        #expect(try modelMarker(URL(fileURLWithPath: outcome.finalModel)) == "good")
        #expect(outcome.progress.iteration == 1)
        #expect(outcome.progress.promotions == 1)
        #expect(Self.toolCalls(records) == ["eval", "plan", "data", "data", "train", "eval", "log"])
        let logged = try #require(records.last { $0.kind == IterationRecord.kind })
        #expect(logged.payload["decision"] == "keep")
        #expect(!records.contains { $0.kind == CallDenied.kind })
    }

    @Test func aNoisyCandidateIsNotPromotedAndFinalModelKeepsTheBase() async throws {
        let fixture = try Fixture()
        let (outcome, records) = try await fixture.run(quality: "plain")
        #expect(outcome.ending == .finished)
        #expect(outcome.best == "base")
        #expect(outcome.finalModelValid)
        #expect(try modelMarker(URL(fileURLWithPath: outcome.finalModel)) == "base weights")
        #expect(outcome.progress.iteration == 1)
        #expect(outcome.progress.promotions == 0)
        let logged = try #require(records.last { $0.kind == IterationRecord.kind })
        #expect(logged.payload["decision"] == "discard")
        let evaluated = try #require(records.last { $0.kind == CandidateEvaluated.kind })
        #expect(evaluated.payload["promoted"] == false)
    }

    @Test(.timeLimit(.minutes(5)))
    func aRunCancelledDuringTrainingStopsAtOnceAndResumesToTheSameDecision() async throws {
        let fixture = try Fixture()
        let (runner, store) = try fixture.runner(quality: "good", backend: HangingBackend())
        let run = Task { try await runner.run(task: "Improve toy QA accuracy.") }
        var training = false
        for _ in 0..<2_000 where !training {
            training = try await store.records().contains { $0.kind == TrainProgressed.kind }
            if !training { try await Task.sleep(for: .milliseconds(10)) }
        }
        #expect(training, "training never started")
        run.cancel()
        await #expect(throws: CancellationError.self) { try await run.value }

        let interrupted = try await store.records()
        #expect(
            !interrupted.contains { $0.kind == TrainFailed.kind }, "a cancelled job is not a training failure")
        #expect(!interrupted.contains { $0.kind == RunStopped.kind })
        let sessions = interrupted.filter { $0.kind == SessionStarted.kind }.count
        #expect(sessions == 3, "define, baseline and local each start one session; got \(sessions)")

        let (outcome, records) = try await fixture.run(quality: "good")
        #expect(outcome.ending == .finished)
        #expect(
            outcome.best.hasPrefix("iter1-job"), "the resumed iteration's candidate is promoted, got \(outcome.best)")
        #expect(outcome.finalModelValid)
        #expect(try modelMarker(URL(fileURLWithPath: outcome.finalModel)) == "good")
        #expect(outcome.progress.iteration == 1)
        #expect(records.last { $0.kind == IterationRecord.kind }?.payload["decision"] == "keep")
    }
}

/// A backend whose job reports one step and then runs until it is cancelled.
struct HangingBackend: TrainingBackend {
    func train(_ job: TrainingJob) -> AsyncThrowingStream<TrainingEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: TrainingEvent.self, throwing: (any Error).self)
        continuation.yield(.started(command: ["hang", job.id]))
        continuation.yield(.progress(TrainingProgress(step: 1, totalSteps: 100, loss: 1, elapsedSeconds: 1)))
        // Only the consumer's cancellation ends the job; keeping the continuation here holds the stream open.
        continuation.onTermination = { _ in _ = continuation }
        return stream
    }
}
