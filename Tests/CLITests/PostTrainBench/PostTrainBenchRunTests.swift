import AgentCore
import AgentTesting
import Evaluation
import Foundation
import Interfaces
import Testing
import Workflows

@testable import AutoTrainess

/// Real runs on the CPU stand-in of a PostTrainBench task (its `evaluate.py` calls inspect_ai like the real one,
/// with the `hf/` provider on the CPU): part of the serialized demo suite, as they train and evaluate for real.
extension DemoCommandTests {
    /// The whole loop by the benchmark's rules: the baseline through the task's own evaluate.py, data through both
    /// contamination checkers, LoRA training, evaluation, promotion; then the benchmark's time runs out mid-run (its
    /// `timer.sh` starts saying `Timer expired!` once iteration 1 is logged): the run stops at a step boundary, and
    /// the submission (iteration 1, the best so far) is written into the task folder in place, checked against the
    /// base model's architecture, loaded and made to generate; the run's trace is kept beside it for the judges.
    @Test(.timeLimit(.minutes(20)))
    func aPostTrainBenchStandInTaskRunsByItsRulesUntilItsTimerExpires() async throws {
        let directory = try TemporaryDirectory()
        let standIn = try PostTrainBenchStandIn(in: directory, hours: nil)
        let deadlineFile = directory.path("timer-deadline")
        try PostTrainBenchStandIn.createControlledTimer(
            at: standIn.task.appendingPathComponent("timer.sh"), deadlineFile: deadlineFile, secondsLeft: 1800)
        let lines = LineCollector()
        var launcher = RunLauncher(progress: { line in
            lines.append(line)
            if line.contains("iteration 1 logged") { try? PostTrainBenchStandIn.expire(deadlineFile: deadlineFile) }
        })
        launcher.timerInterval = .seconds(2)
        try await launcher.python.ensure(progress: { lines.append($0) })
        let demo = DemoRun(settings: .quick, runsDirectory: directory.path("runs"), launcher: launcher)
        let base = try await demo.provisionModel()

        let task = try PostTrainBenchTask(directory: standIn.task)
        #expect(task.benchmark == "gsm8k")
        guard case .remaining(let left) = try await PostTrainBenchTimer.read(taskDirectory: task.directory) else {
            Issue.record("the fresh timer reads as expired")
            return
        }
        var spec = try TaskSpec.postTrainBench(
            task, baseModel: base.path, template: DemoModel.smolLM2.llamaFactoryTemplate, remainingSeconds: left,
            rules: .v1_1, extraDataRoots: [standIn.data.path], maxIterations: 2)
        #expect(try spec.budgetSeconds().total <= 1800 && spec.budgetSeconds().total > 1700)
        spec.cutoffLength = DemoSettings.quick.cutoffLength
        spec.recipe = Recipe(
            datasetName: "number_words", sources: [standIn.data.appendingPathComponent("training.json").path],
            format: "alpaca", mapping: FieldMapping(instruction: "{instruction}", output: "{output}"),
            hyperparameters: demo.hyperparameters, weakness: "the base model answers in words, not digits",
            hypothesis: "examples of number words with digit answers teach the answer the evaluation scores")
        let workspace = try launcher.create(spec: spec, runsDirectory: directory.path("runs"), driver: .recipe)
        let outcome = try await launcher.run(workspace)
        let transcript = lines.lines.joined(separator: "\n")

        // The timer, not the iteration limit, ended the run, at a step boundary of iteration 2.
        guard case .budgetExhausted = outcome.ending else {
            Issue.record("the run should end when timer.sh expires: \(outcome.ending)\n\(transcript.suffix(3000))")
            return
        }
        let records = try await workspace.openStore().records()
        let moved = try #require(records.last(DeadlineMoved.self), "\(transcript.suffix(3000))")
        #expect(moved.source == "timer.sh: Timer expired!")
        let reports = records.all(EvalReported.self)
        #expect(reports.map(\.label) == ["baseline", "iter1"], "\(transcript.suffix(3000))")
        for report in reports {
            #expect(report.sampleCount == standIn.items.count && report.comparable, "\(report)")
        }
        #expect(records.all(TrainFinished.self).count == 1, "iteration 2's training never completes")
        // Each evaluation ran the task's own evaluate.py with the real arguments.
        let registry = try JSONValue(parsing: String(
            contentsOf: workspace.root.appendingPathComponent("checkpoints/registry.json"), encoding: .utf8))
        let command = registry["candidates"]?.arrayValue?.first?["reports"]?.arrayValue?.first?["command"]?
            .arrayValue?.compactMap(\.stringValue) ?? []
        #expect(command.contains { $0.hasSuffix("task/evaluate.py") } && command.contains("--json-output-file"))
        #expect(records.last(DataValidated.self)?.approved == true, "both checkers found the data clean")
        let decision = try #require(records.last(CandidateEvaluated.self), "\(transcript.suffix(2000))")
        #expect(decision.promoted, "\(decision.reason)")

        // The submission is the best so far, written in place, and passes the benchmark's checks.
        #expect(outcome.best == decision.candidateID)
        let submitted = standIn.task.appendingPathComponent("final_model")
        #expect(FileManager.default.fileExists(atPath: submitted.appendingPathComponent("model.safetensors").path))
        #expect(FileManager.default.fileExists(atPath: submitted.appendingPathComponent("generation_config.json").path))
        #expect(try PostTrainBenchSubmission.identityMismatches(candidate: submitted, base: base).isEmpty)
        #expect(transcript.contains("Model identity: final_model/config.json matches the base model"))
        let check = try #require(try await workspace.openStore().records().last(SubmissionChecked.self))
        #expect(check.loaded && check.best == decision.candidateID, "\(check.detail)")
        // The judges get the trace in the task folder; the intermediate checkpoints are gone.
        let trace = standIn.task.appendingPathComponent("autotrainess_trace/\(workspace.root.lastPathComponent)")
        for file in ["events.jsonl", "run.json", "report.html", "iterations/1/plan.md"] {
            #expect(FileManager.default.fileExists(atPath: trace.appendingPathComponent(file).path), "\(file)")
        }
        #expect(!FileManager.default.fileExists(atPath: trace.appendingPathComponent("evaluator").path))
        print("DemoCommandTests (PostTrainBench stand-in): baseline \(reports[0].score) -> iter1 \(reports.last!.score); "
            + "promoted: \(decision.promoted); stopped by the timer; load check: \(check.detail)")
    }

    /// The same task driven by the scripted model that knows only what its prompts show (``BriefReader``): it finds
    /// the training file in the brief's data listing (the stand-in's `evaluation_code/`, which holds the test items,
    /// is listed as not readable), and takes the task through the benchmark's own evaluate.py to a decision.
    @Test(.timeLimit(.minutes(20)))
    func aModelThatKnowsOnlyTheBriefDrivesAPostTrainBenchTask() async throws {
        let directory = try TemporaryDirectory()
        let standIn = try PostTrainBenchStandIn(in: directory, hours: 0.5)
        let lines = LineCollector()
        let provider = ScriptedModelProvider(respond: BriefReader.respond)
        let launcher = RunLauncher(
            progress: { lines.append($0) }, providerOverride: provider, shell: ShellOptions(unsafe: true))
        try await launcher.python.ensure(progress: { lines.append($0) })
        let base = try await DemoRun(settings: .quick, runsDirectory: directory.path("runs"), launcher: launcher)
            .provisionModel()
        var spec = try TaskSpec.postTrainBench(
            try PostTrainBenchTask(directory: standIn.task), baseModel: base.path,
            template: DemoModel.smolLM2.llamaFactoryTemplate, remainingSeconds: 1800, rules: .v1_1,
            extraDataRoots: [standIn.data.path], maxIterations: 1)
        spec.cutoffLength = DemoSettings.quick.cutoffLength
        let workspace = try launcher.create(
            spec: spec, runsDirectory: directory.path("runs"),
            driver: .model(provider: "scripted", model: "brief-reader", baseURL: nil))
        let outcome = try await launcher.run(workspace)
        let transcript = lines.lines.joined(separator: "\n")
        #expect(outcome.ending == .finished, "\(transcript.suffix(3000))")
        let first = provider.requests.first?.messages.first { $0.role == .user }?.text ?? ""
        #expect(first.contains("evaluation_code/items.jsonl") && first.contains("not readable"), "\(first.prefix(3000))")
        #expect(first.contains("PostTrainBench v1.1"))
        let records = try await workspace.openStore().records()
        #expect(records.all(CallDenied.self).isEmpty, "\(records.all(CallDenied.self).map(\.reason))")
        let built = try #require(records.last(DataBuilt.self), "\(transcript.suffix(3000))")
        #expect(built.rows == standIn.training.count)
        #expect(records.all(EvalReported.self).map(\.label) == ["baseline", "iter1"])
        #expect(records.last(IterationRecord.self) != nil && records.last(CandidateEvaluated.self) != nil)
        print("DemoCommandTests (PostTrainBench, brief reader): \(provider.requests.count) model requests; "
            + "\(records.all(EvalReported.self).map { "\($0.label) \($0.score)" })")
    }

    /// The evaluator adapter against the stand-in's evaluate.py: a run that does not fit at 4000 tokens retries along
    /// gsm8k's cascade (4 attempts, then 3000 tokens), and a changed evaluate.py is refused before anything runs.
    @Test(.timeLimit(.minutes(10)))
    func theEvaluatorAdapterRetriesAlongTheCascadeAndRefusesAChangedScript() async throws {
        let directory = try TemporaryDirectory()
        let standIn = try PostTrainBenchStandIn(in: directory, hours: nil)
        let python = PythonEnvironment()
        try await python.ensure(progress: { _ in })
        let base = try await DemoRun(
            settings: .quick, runsDirectory: directory.path("runs"), launcher: RunLauncher(progress: { _ in })
        ).provisionModel()
        let task = try PostTrainBenchTask(directory: standIn.task)
        let recorded = try FileFingerprint.compute(paths: task.protectedPaths, in: task.directory)
        let evaluator = PostTrainBenchEvaluator(
            taskDirectory: task.directory, outputDirectory: directory.path("out"), expectedFingerprint: recorded,
            benchmark: task.benchmark, fingerprintPaths: task.protectedPaths, environment: python, extraEnvironment: ["STANDIN_MAX_TOKENS_THAT_FIT": "3000"])
        let report = try await evaluator.evaluate(EvaluationTarget(modelPath: base.path, label: "base", limit: 8))
        #expect(report.command.suffix(2) == ["--max-tokens", "3000"], "\(report.command)")
        #expect(report.sampleCount == 8 && report.samples.count == 8)

        try Data("\n# edited\n".utf8).write(to: task.directory.appendingPathComponent("evaluate.py"), options: .atomic)
        await #expect(throws: EvaluationError.self) {
            _ = try await evaluator.evaluate(EvaluationTarget(modelPath: base.path, label: "again", limit: 8))
        }
    }
}
