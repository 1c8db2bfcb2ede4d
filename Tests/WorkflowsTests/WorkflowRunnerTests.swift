import AgentCore
import AgentTesting
import Evaluation
import Foundation
import Interfaces
import Testing
import TrainingBackends

@testable import Workflows

@Suite("WorkflowRunner")
struct WorkflowRunnerTests {
    /// A run folder with a task, a base model and a source of 20 question/answer rows.
    final class Fixture: Sendable {
        let directory: TemporaryDirectory
        let base: URL
        let runRoot: URL
        let source: URL
        let clock = ManualClock()

        init() throws {
            directory = try TemporaryDirectory()
            base = try directory.makeModel("models/base", marker: "base weights")
            runRoot = directory.path("runs/r1")
            source = directory.path("data/qa.jsonl")
            try directory.write("print('score')\n", to: "task/evaluate.py")
            let rows = (0..<20).map { #"{"question": "q\#($0)?", "answer": "a\#($0)"}"# }
            try directory.write(rows.joined(separator: "\n") + "\n", to: "data/qa.jsonl")
        }

        /// The run's parts, opened from disk as a fresh process would.
        struct Parts {
            let workflow: Workflow
            let tools: [AnyTool]
            let store: JSONLExperimentStore
            let registry: CheckpointRegistry
            let budget: BudgetClock
        }

        func parts(
            evaluator: any Evaluator = ScoringEvaluator.markers(), maxIterations: Int? = nil,
            backend: FakeTrainingBackend = loadableModelBackend()
        ) throws -> Parts {
            let task = TaskProfile(
                name: "toy", baseModel: base.path, template: "qwen", benchmark: "toy",
                dataRoots: [directory.path("data").path])
            let (workspace, _) = try Workspace.create(
                at: runRoot, manifest: RunManifest(runID: "r1", task: task, budget: RunBudget(totalSeconds: 3600)))
            let store = try workspace.openStore()
            let registry = try CheckpointRegistry(runDirectory: workspace.root, baseModel: base)
            let budget = BudgetClock(
                limits: BudgetLimits(deadline: clock.now().addingTimeInterval(3600), finalReserve: 600), clock: clock)
            let environment = InterfaceEnvironment(
                workspace: workspace, task: task, store: store,
                backend: BudgetedTrainingBackend(base: backend, budget: budget),
                evaluator: BudgetedEvaluator(base: evaluator, budget: budget), checker: CountingChecker())
            let workflow = Workflow.autoTrainess(
                AutoTrainessWorkflowOptions(
                    commonTools: ["read_file", "list_dir", "run_command"], stallIterations: 1, explorationIterations: 1,
                    maxIterations: maxIterations, registry: registry,
                    integrity: try IntegrityGuard(protecting: ["evaluate.py"], in: directory.path("task")),
                    budget: budget))
            return Parts(
                workflow: workflow, tools: InterfaceTools.all(in: environment), store: store, registry: registry,
                budget: budget)
        }

        /// A runner over the run's parts, driven by `turns`.
        func runner(
            turns: [ScriptedModelProvider.Turn], evaluator: any Evaluator = ScoringEvaluator.markers(), maxIterations: Int? = nil,
            backend: FakeTrainingBackend = loadableModelBackend()
        ) throws -> (WorkflowRunner, JSONLExperimentStore) {
            let parts = try parts(evaluator: evaluator, maxIterations: maxIterations, backend: backend)
            let runner = WorkflowRunner(
                workflow: parts.workflow, provider: ScriptedModelProvider(turns: turns), model: "scripted",
                tools: parts.tools, store: parts.store, registry: parts.registry, budget: parts.budget, secrets: [])
            return (runner, parts.store)
        }

        var fullScript: [ScriptedModelProvider.Turn] {
            Script.stage0And1 + Script.iteration1Start + Script.rest(source)
        }
    }

    enum Script {
        static func call(_ name: String, _ arguments: String) -> ScriptedModelProvider.Turn {
            .toolCalls([ToolCall(id: UUID().uuidString, name: name, arguments: arguments)])
        }

        static func plan(_ iteration: Int) -> ScriptedModelProvider.Turn {
            call(
                "plan",
                #"{"iteration": \#(iteration), "weakness": "wrong answers", "evidence": ["s20"], "#
                    + #""hypothesis": "more QA data", "changes": ["data"], "successCriterion": "accuracy >= 0.5"}"#)
        }

        static func data(_ iteration: Int, _ source: URL) -> [ScriptedModelProvider.Turn] {
            [
                call(
                    "data",
                    #"{"action": "build", "iteration": \#(iteration), "dataset": "d\#(iteration)", "#
                        + #""sources": ["\#(source.path)"], "format": "alpaca", "#
                        + #""mapping": {"instruction": "{question}", "output": "{answer}"}}"#),
                call("data", #"{"action": "validate", "iteration": \#(iteration), "dataset": "d\#(iteration)"}"#),
            ]
        }

        static func train(_ iteration: Int, quality: String, from start: String = "base") -> ScriptedModelProvider.Turn
        {
            call(
                "train",
                #"{"iteration": \#(iteration), "datasets": ["d\#(iteration)"], "startFrom": "\#(start)", "#
                    + #""hyperparameters": {"quality": "\#(quality)"}}"#)
        }

        static func eval(_ iteration: Int) -> ScriptedModelProvider.Turn {
            call(
                "eval",
                #"{"iteration": \#(iteration), "model": "iter\#(iteration)-job1", "label": "iter\#(iteration)"}"#)
        }

        static func log(_ iteration: Int, stage: String, decision: String) -> ScriptedModelProvider.Turn {
            call(
                "log",
                #"{"iteration": \#(iteration), "stage": "\#(stage)", "hypothesis": "more QA data", "#
                    + #""data": ["d\#(iteration)"], "scores": ["iter\#(iteration)"], "decision": "\#(decision)", "#
                    + #""nextStep": "continue"}"#)
        }

        static let stage0And1: [ScriptedModelProvider.Turn] = [
            .text("Target: toy QA exact match; evaluator: toy; base model: models/base; budget 1h."),
            call("eval", #"{"iteration": 0, "model": "base", "label": "baseline"}"#),
            .text("Baseline recorded."),
        ]

        /// Stage 2 up to an approved dataset for iteration 1 (one denied train call first).
        static var iteration1Start: [ScriptedModelProvider.Turn] { [train(1, quality: "good"), plan(1)] }

        /// From data building in iteration 1 to the end of the run.
        static func rest(_ source: URL) -> [ScriptedModelProvider.Turn] {
            data(1, source) + afterData1(source)
        }

        /// Everything after iteration 1's dataset was approved.
        static func afterData1(_ source: URL) -> [ScriptedModelProvider.Turn] {
            [train(1, quality: "good"), eval(1), plan(2), log(1, stage: "local", decision: "keep"), plan(2)]
                + data(2, source)
                + [
                    train(2, quality: "plain", from: "iter1-job1"), eval(2),
                    log(2, stage: "local", decision: "discard"),
                ]
                + [.text("Local iterations stalled.")]
                + [call("eval", #"{"iteration": 3, "model": "/elsewhere/model", "label": "x"}"#), plan(3)]
                + data(3, source)
                + [
                    train(3, quality: "great", from: "iter1-job1"), eval(3),
                    log(3, stage: "exploration", decision: "keep"),
                ]
                + [.text("Done.")]
        }
    }

    /// `tool: rule` of each denial the store recorded, in order.
    static func denials(_ store: JSONLExperimentStore) async throws -> [String] {
        try await store.records().filter { $0.kind == CallDenied.kind }.map {
            "\($0.payload["tool"]?.stringValue ?? "?"): \($0.payload["rule"]?.stringValue ?? "?")"
        }
    }

    @Test func defaultWorkflowRunsThroughAllStagesWithRulesAndPromotion() async throws {
        let fixture = try Fixture()
        let (runner, store) = try fixture.runner(turns: fixture.fullScript)
        let outcome = try await runner.run(task: "Improve toy QA accuracy.")

        #expect(outcome.ending == .finished)
        #expect(outcome.best == "iter3-job1")
        #expect(outcome.finalModelValid)
        #expect(try modelMarker(URL(fileURLWithPath: outcome.finalModel)) == "great")
        #expect(outcome.progress.promotions == 2)
        #expect(outcome.progress.iteration == 3)
        #expect(
            try await Self.denials(store) == [
                "train: approved data before train", "plan: plan after log", "eval: registered models only",
            ])
        let records = try await store.records()
        let stages = records.filter { $0.kind == StageEntered.kind }.compactMap {
            $0.payload["stage"]?.stringValue
        }
        #expect(stages == ["define", "baseline", "local", "exploration"])
        let decisions = records.filter { $0.kind == CandidateEvaluated.kind }.map {
            "\($0.payload["candidateID"]?.stringValue ?? "?") \($0.payload["promoted"]?.boolValue == true)"
        }
        #expect(decisions == ["iter1-job1 true", "iter2-job1 false", "iter3-job1 true"])
        #expect(await runner.registry.candidate("iter2-job1")?.lineage.parent == "iter1-job1")
        let state = RunState.rebuild(from: records, runDirectory: runner.registry.runDirectory)
        #expect(state.checkpoints.filter(\.registered).map(\.id) == ["iter1-job1", "iter2-job1", "iter3-job1"])
        #expect(state.stage == "exploration" && state.lastLoggedIteration == 3)
        let usage = records.filter { $0.kind == BudgetRecorded.kind }
        #expect(!usage.isEmpty)
    }

    @Test func aCheckpointSavedMidJobIsACandidateAndTheBetterStepIsPromoted() async throws {
        let fixture = try Fixture()
        let turns: [ScriptedModelProvider.Turn] =
            Script.stage0And1 + [Script.plan(1)] + Script.data(1, fixture.source) + [
                Script.call(
                    "train",
                    #"{"iteration": 1, "datasets": ["d1"], "saveEvery": 1, "#
                        + #""hyperparameters": {"quality": "plain", "checkpointQuality": "good"}}"#),
                Script.call("eval", #"{"iteration": 1, "model": "iter1-job1-step1", "label": "step1"}"#),
                Script.call("eval", #"{"iteration": 1, "model": "iter1-job1", "label": "last"}"#),
                Script.call(
                    "log",
                    #"{"iteration": 1, "stage": "local", "hypothesis": "more QA data", "data": ["d1"], "#
                        + #""scores": ["step1", "last"], "decision": "keep", "nextStep": "stop"}"#),
                .text("Done."),
            ]
        let (runner, store) = try fixture.runner(turns: turns, maxIterations: 1)
        let outcome = try await runner.run(task: "Improve toy QA accuracy.")

        #expect(outcome.best == "iter1-job1-step1")
        #expect(try modelMarker(URL(fileURLWithPath: outcome.finalModel)) == "good")
        let saved = try #require(await runner.registry.candidate("iter1-job1-step1"))
        #expect(saved.lineage.step == 1 && saved.lineage.parent == "base")
        #expect(await runner.registry.candidate("iter1-job1")?.lineage.step == nil)
        let records = try await store.records()
        let decisions = records.filter { $0.kind == CandidateEvaluated.kind }.map {
            "\($0.payload["candidateID"]?.stringValue ?? "?") \($0.payload["promoted"]?.boolValue == true)"
        }
        #expect(decisions == ["iter1-job1-step1 true", "iter1-job1 false"])
        let finished = try #require(records.first { $0.kind == TrainFinished.kind })
        #expect(finished.payload["checkpoints"]?.arrayValue?.first?["step"]?.intValue == 1)
        let started = try #require(records.first { $0.kind == TrainStarted.kind })
        #expect(started.payload["job"]?["hyperparameters"]?["save_steps"] == 1)
        // With one iteration allowed, the model is told before its log call that the log ends the run.
        let provider = try #require(runner.provider as? ScriptedModelProvider)
        let beforeLog = try #require(provider.requests.dropLast().last?.messages.first?.text)
        #expect(beforeLog.contains("Note: logging iteration 1 ends the run"), "\(beforeLog.suffix(600))")
        #expect(provider.requests.first?.messages.first?.text.contains("ends the run") == false)
    }

    @Test func anAgentThatRepeatsRefusedCallsIsStoppedWithTheReason() async throws {
        let fixture = try Fixture()
        // After the baseline, the model calls train before any plan, over and over (each call is refused).
        let refused = Script.train(1, quality: "good")
        let turns = Script.stage0And1 + Array(repeating: refused, count: 200)
        let (runner, store) = try fixture.runner(turns: turns)
        let outcome = try await runner.run(task: "Improve toy QA accuracy.")

        guard case .stalled(let reason) = outcome.ending else {
            Issue.record("expected a stalled run, got \(outcome.ending)")
            return
        }
        #expect(reason.contains("20 tool calls in a row were refused"))
        #expect(outcome.ending.isFailure)
        #expect(outcome.best == "base" && outcome.finalModelValid)
        let denials = try await Self.denials(store)
        #expect(denials.count == RunawayLimits().denialStreak, "stopped at the limit, not at the script's end")
        let stopped = try #require(try await store.records().last { $0.kind == RunStopped.kind })
        #expect(stopped.payload["reason"]?.stringValue?.hasPrefix("stalled:") == true)
    }

    @Test func sessionsThatEndWithoutProgressStopTheRun() async throws {
        let fixture = try Fixture()
        let turns = Script.stage0And1 + Array(repeating: ScriptedModelProvider.Turn.text("Thinking."), count: 50)
        let (runner, _) = try fixture.runner(turns: turns)
        let outcome = try await runner.run(task: "Improve toy QA accuracy.")
        guard case .stalled(let reason) = outcome.ending else {
            Issue.record("expected a stalled run, got \(outcome.ending)")
            return
        }
        #expect(reason.contains("5 sessions in a row ended without progress"))
        let limits = RunawayLimits(sessionsWithoutProgress: 2, denialStreak: 3)
        let progress = ExperimentRecord(kind: PlanWritten.kind, payload: [:])
        let ended = ExperimentRecord(kind: SessionEnded.kind, payload: [:])
        let denied = ExperimentRecord(kind: CallDenied.kind, payload: [:])
        let success = try ExperimentRecord(
            AgentRecord.ToolReturned(
                ToolResult(call: ToolCall(id: "1", name: "list_dir", arguments: "{}"), output: ToolOutput("ok"))))
        #expect(limits.violation(in: [ended, ended, progress, ended]) == nil)
        #expect(limits.violation(in: [progress, ended, ended]) != nil)
        #expect(limits.violation(in: [denied, denied, success, denied, denied]) == nil)
        #expect(limits.violation(in: [progress, denied, denied, denied]) != nil)
    }

    @Test func aSubmissionTamperedThroughAnUnsandboxedShellIsCaughtAtTheEndAndRestored() async throws {
        let fixture = try Fixture()
        // The test's tools run the shell without a sandbox (as --unsafe-shell does): after the promotion of
        // iteration 1, the model overwrites the submission's weights.
        let tamper = Script.call(
            "run_command", #"{"command": "printf great > final_model/model.safetensors && echo done"}"#)
        let turns =
            Script.stage0And1 + [Script.plan(1)] + Script.data(1, fixture.source) + [
                Script.train(1, quality: "plain"), Script.eval(1), tamper,
                Script.log(1, stage: "local", decision: "keep"), .text("Done."),
            ]
        let (runner, store) = try fixture.runner(turns: turns, maxIterations: 1)
        let outcome = try await runner.run(task: "Improve toy QA accuracy.")

        guard case .tampered(let findings) = outcome.ending else {
            Issue.record("expected a tampered run, got \(outcome.ending)")
            return
        }
        #expect(findings.contains("final_model/model.safetensors was changed"))
        #expect(outcome.ending.isFailure)
        #expect(try modelMarker(URL(fileURLWithPath: outcome.finalModel)) == "base weights", "restored")
        let records = try await store.records()
        let tampered = try #require(records.last { $0.kind == TamperingFound.kind })
        #expect(tampered.payload["restored"]?.stringValue == "base")
        #expect(records.last?.kind == RunStopped.kind)
        #expect(CheckpointRegistry.inspect(runDirectory: fixture.runRoot).isEmpty, "final_model/ is whole again")
    }

    @Test func aRegistryOrStoreChangedBetweenSessionsIsCaughtOnResume() async throws {
        let fixture = try Fixture()
        let (first, _) = try fixture.runner(turns: fixture.fullScript)
        let finished = try await first.run(task: "Improve toy QA accuracy.")
        #expect(finished.ending == .finished && finished.best == "iter3-job1")

        // Between sessions: the submission swapped for another candidate, the registry pointed at it, and a line
        // appended to the store.
        let registryFile = fixture.runRoot.appendingPathComponent("checkpoints/registry.json")
        let text = try String(contentsOf: registryFile, encoding: .utf8)
        try text.replacingOccurrences(of: #""bestID" : "iter3-job1""#, with: #""bestID" : "iter2-job1""#)
            .write(to: registryFile, atomically: true, encoding: .utf8)
        let events = try FileHandle(forWritingTo: fixture.runRoot.appendingPathComponent("events.jsonl"))
        try events.seekToEnd()
        try events.write(contentsOf: Data("{}\n".utf8))
        try events.close()
        try Data("plain".utf8).write(to: fixture.runRoot.appendingPathComponent("final_model/model.safetensors"))
        #expect(!CheckpointRegistry.inspect(runDirectory: fixture.runRoot).isEmpty, "status sees it")

        let (second, secondStore) = try fixture.runner(turns: [])
        let resumed = try await second.run(task: "Improve toy QA accuracy.")
        guard case .tampered(let findings) = resumed.ending else {
            Issue.record("expected a tampered run, got \(resumed.ending)")
            return
        }
        #expect(findings.contains("events.jsonl line"), "\(findings)")
        #expect(findings.contains("names 'iter2-job1' as the submission; the run promoted 'iter3-job1'"), "\(findings)")
        #expect(resumed.best == "iter3-job1")
        #expect(try modelMarker(URL(fileURLWithPath: resumed.finalModel)) == "great")
        #expect(findings.contains("final_model/model.safetensors was changed"))
        #expect(try await secondStore.records().filter { $0.kind == TamperingFound.kind }.count == 1)

        // Resumed again: the foreign line is not reported twice, and nothing else changed.
        let (third, _) = try fixture.runner(turns: [])
        #expect(try await third.run(task: "Improve toy QA accuracy.").ending == .finished)
    }

    @Test func killedMidIterationResumesToTheSameDecisions() async throws {
        let reference = try Fixture()
        let (referenceRunner, _) = try reference.runner(turns: reference.fullScript)
        let expected = try await referenceRunner.run(task: "Improve toy QA accuracy.")

        let fixture = try Fixture()
        let beforeKill = Script.stage0And1 + Script.iteration1Start + Script.data(1, fixture.source)
        let (first, firstStore) = try fixture.runner(turns: beforeKill + [.failure(SimulatedKill())])
        await #expect(throws: SimulatedKill.self) { try await first.run(task: "Improve toy QA accuracy.") }
        let killedProgress = try await progress(of: firstStore, registry: first.registry)
        #expect(killedProgress.approvedDataset?.name == "d1")
        #expect(killedProgress.trainedCandidate == nil)

        // A new process: everything reopened from disk; the model first tries to plan again, which is denied
        // exactly as before the kill, then continues the iteration.
        let (second, secondStore) = try fixture.runner(turns: [Script.plan(1)] + Script.afterData1(fixture.source))
        #expect(try await progress(of: secondStore, registry: second.registry) == killedProgress)
        let resumed = try await second.run(task: "Improve toy QA accuracy.")

        #expect(resumed.ending == expected.ending)
        #expect(resumed.best == expected.best)
        #expect(resumed.progress.promotions == expected.progress.promotions)
        #expect(resumed.progress.iteration == expected.progress.iteration)
        #expect(try modelMarker(URL(fileURLWithPath: resumed.finalModel)) == "great")
        #expect(try await Self.denials(secondStore).contains("plan: plan after log"))
    }

    @Test func budgetEndStopsCleanlyWithAValidFinalModel() async throws {
        let fixture = try Fixture()
        let turns = Script.stage0And1 + [Script.plan(1)]
        let (runner, store) = try fixture.runner(turns: turns + [Script.call("list_dir", #"{"path": "."}"#)])
        let clock = fixture.clock
        let advancing = WorkflowRunner(
            workflow: runner.workflow,
            provider: InterruptingProvider(base: runner.provider, afterRequests: turns.count) {
                clock.advance(by: 7200)
            },
            model: runner.model, tools: runner.tools, store: store, registry: runner.registry, budget: runner.budget,
            secrets: [])
        let outcome = try await advancing.run(task: "Improve toy QA accuracy.")

        guard case .budgetExhausted(let reason) = outcome.ending else {
            Issue.record("the run must end on the budget, got \(outcome.ending)")
            return
        }
        #expect(reason.contains("deadline"))
        #expect(outcome.best == "base")
        #expect(outcome.finalModelValid)
        #expect(try modelMarker(URL(fileURLWithPath: outcome.finalModel)) == "base weights")
        let stopped = try await store.records().last { $0.kind == RunStopped.kind }
        #expect(stopped?.payload["finalModelValid"]?.boolValue == true)
    }

    @Test func tamperedEvaluationScriptBlocksEvaluationAndTheDenialIsLogged() async throws {
        let fixture = try Fixture()
        let turns: [ScriptedModelProvider.Turn] = [
            .text("Task defined."), Script.call("eval", #"{"iteration": 0, "model": "base", "label": "baseline"}"#),
            .failure(SimulatedKill()),
        ]
        let (runner, store) = try fixture.runner(turns: turns)
        let directory = fixture.directory
        let tampering = WorkflowRunner(
            workflow: runner.workflow,
            provider: InterruptingProvider(base: runner.provider, afterRequests: 1) {
                try? directory.write("print('score = 1.0')\n", to: "task/evaluate.py")
            },
            model: runner.model, tools: runner.tools, store: store, registry: runner.registry, budget: runner.budget,
            secrets: [])
        await #expect(throws: SimulatedKill.self) { try await tampering.run(task: "Improve toy QA accuracy.") }

        let records = try await store.records()
        let denial = try #require(records.first { $0.kind == CallDenied.kind })
        #expect(denial.payload["rule"]?.stringValue == "evaluation files unchanged")
        #expect(denial.payload["reason"]?.stringValue?.contains("evaluate.py was modified") == true)
        #expect(!records.contains { $0.kind == EvalReported.kind })
        let seen = records.filter { $0.kind == "agent.tool_result" }.compactMap {
            $0.payload["output"]?["content"]?.stringValue
        }
        #expect(seen.contains { $0.hasPrefix("Denied: Evaluation is blocked") })
    }

    @Test func engineeringFailureInTheBaselineRetriesTheStage() async throws {
        let fixture = try Fixture()
        let evalBase = Script.call("eval", #"{"iteration": 0, "model": "base", "label": "baseline"}"#)
        let turns: [ScriptedModelProvider.Turn] = [
            .text("Task defined."), evalBase, .text("The evaluator crashed."), evalBase, .text("Baseline recorded."),
            .failure(SimulatedKill()),
        ]
        let (runner, store) = try fixture.runner(turns: turns, evaluator: CrashingOnceEvaluator())
        await #expect(throws: SimulatedKill.self) { try await runner.run(task: "Improve toy QA accuracy.") }

        let records = try await store.records()
        let baselineSessions = records.filter {
            $0.kind == SessionStarted.kind && $0.payload["stage"]?.stringValue == "baseline"
        }
        #expect(baselineSessions.count == 2)
        #expect(records.contains { $0.kind == EvalFailed.kind })
        let progress = try await progress(of: store, registry: runner.registry)
        #expect(progress.stage == "local")
        #expect(progress.baselineScore == 0.2)
    }

    private func progress(of store: JSONLExperimentStore, registry: CheckpointRegistry) async throws
        -> IterationProgress
    {
        let tracker = RunTracker(store: store, registry: registry, root: registry.runDirectory)
        try await tracker.refresh()
        return await tracker.progress
    }
}

/// Counts the rows of a built dataset and reports no findings.
struct CountingChecker: DatasetChecker {
    func check(file: URL, format: String, cutoffLength: Int) async throws -> DatasetCheck {
        let rows = try JSONSerialization.jsonObject(with: Data(contentsOf: file)) as? [Any] ?? []
        return DatasetCheck(sampleCount: rows.count)
    }
}

/// An evaluator whose first evaluation crashes (an engineering failure), then scores like ``ScoringEvaluator/markers(_:size:)``.
actor CrashingOnceEvaluator: Evaluator {
    struct Crash: Error, CustomStringConvertible {
        var description: String { "evaluate.py exited with status 1: CUDA error: out of memory" }
    }

    private var crashed = false

    func evaluate(_ target: EvaluationTarget) async throws -> EvaluationReport {
        if !crashed {
            crashed = true
            throw Crash()
        }
        return try await ScoringEvaluator.markers().evaluate(target)
    }
}
