import AgentTesting
import AutoTrainess
import Foundation

// A researcher's own two-stage workflow, built from the SDK's parts and run offline in a second: a scripted model
// drives the real interface tools (plan, data, train, eval, log), the real data checks, checkpoint registry and
// promotion; only the trainer and the evaluator below are stand-ins, so no GPU or Python is needed.

/// Stand-in trainer: writes a loadable-looking model folder (config.json + weights), as a merged LoRA run would.
struct InstantBackend: TrainingBackend {
    func train(_ job: TrainingJob) -> AsyncThrowingStream<TrainingEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: TrainingEvent.self, throwing: (any Error).self)
        let model = job.mergedModelDirectory ?? job.outputDirectory
        do {
            try writeModel(at: model, weights: "trained")
            continuation.yield(.progress(TrainingProgress(step: 1, totalSteps: 1, loss: 0.4, elapsedSeconds: 1)))
            let result = TrainingResult(
                jobID: job.id, outputDirectory: job.outputDirectory, modelDirectory: model,
                metrics: ["train_loss": 0.4], wallSeconds: 1)
            continuation.yield(.finished(result))
            continuation.finish()
        } catch {
            continuation.finish(throwing: error)
        }
        return stream
    }
}

/// Stand-in evaluator: 40 items; the base model gets 10 right, a trained model 32 (a gain well above noise).
struct MarkerEvaluator: Evaluator {
    func evaluate(_ target: EvaluationTarget) async throws -> EvaluationReport {
        let weights = try String(contentsOfFile: target.modelPath + "/model.safetensors", encoding: .utf8)
        let correct = weights == "trained" ? 32 : 10
        let samples = (0..<40).map {
            SampleRecord(id: "q\($0)", input: "", target: "", output: "", score: $0 < correct ? 1 : 0)
        }
        return EvaluationReport(
            benchmark: "toy", metric: "accuracy", score: Double(correct) / 40, stderr: nil, sampleCount: 40,
            limit: nil, samples: samples, command: ["marker"], versions: [:], modelPath: target.modelPath,
            label: target.label, durationSeconds: 0)
    }
}

func writeModel(at folder: URL, weights: String) throws {
    try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
    try Data(#"{"model_type": "llama"}"#.utf8).write(to: folder.appendingPathComponent("config.json"))
    try Data(weights.utf8).write(to: folder.appendingPathComponent("model.safetensors"))
}

// A custom rule: its reason is what the model reads when the call is refused.
let learningRateCap = Rule("learning rate cap", tools: ["train"]) { context in
    guard let rate = context.arguments["hyperparameters"]?["learning_rate"]?.doubleValue, rate > 1e-3 else {
        return .allow
    }
    return .deny(reason: "learning_rate \(rate) is above this lab's cap of 1e-3 for LoRA; use 2e-4 or less.")
}

let workflow = try Workflow(
    name: "baseline-then-sweep",
    stages: [
        Stage(
            name: "baseline", instructions: "Evaluate the base model (model \"base\", iteration 0).",
            allowedTools: ["eval"],
            exits: [StageExit("baseline recorded", to: .stage("sft-sweep")) { $0.baselineScore != nil }]),
        Stage(
            name: "sft-sweep", instructions: "Run one SFT iteration: plan, data, train, eval, log.",
            allowedTools: ToolNames().iteration,  // plan, data, train, eval, log
            rules: [.planAfterLog(), .iterationPlanned(), .trainNeedsApprovedData(), learningRateCap],
            exits: [StageExit("sweep done", to: .finish) { $0.lastIterationLogged && $0.iteration >= 1 }]),
    ])

// A temporary run folder with a base model and a source of question/answer rows the data tool may read.
let root = FileManager.default.temporaryDirectory.appendingPathComponent("custom-workflow-\(UUID().uuidString)")
let base = root.appendingPathComponent("models/base")
try writeModel(at: base, weights: "base")
let source = root.appendingPathComponent("data/qa.jsonl")
try FileManager.default.createDirectory(at: source.deletingLastPathComponent(), withIntermediateDirectories: true)
try (0..<20).map { #"{"question": "What is \#($0) + \#($0)?", "answer": "\#($0 * 2)"}"# }
    .joined(separator: "\n").write(to: source, atomically: true, encoding: .utf8)

let task = TaskProfile(
    name: "toy", baseModel: base.path, template: "llama3", benchmark: "toy",
    dataRoots: [source.deletingLastPathComponent().path])
let (workspace, _) = try Workspace.create(
    at: root.appendingPathComponent("run"),
    manifest: RunManifest(runID: "custom", task: task, budget: RunBudget(totalSeconds: 3600)))
let store = try workspace.openStore()
let environment = InterfaceEnvironment(
    workspace: workspace, task: task, store: store, backend: InstantBackend(),
    evaluator: MarkerEvaluator(), checker: try EngineDatasetChecker(benchmarkFile: nil))

// What the "model" does; with a real provider (e.g. AnthropicProvider()) the same runner drives a real agent.
func call(_ name: String, _ arguments: String) -> ScriptedModelProvider.Turn {
    .toolCalls([ToolCall(id: UUID().uuidString, name: name, arguments: arguments)])
}
let script: [ScriptedModelProvider.Turn] = [
    call("eval", #"{"iteration": 0, "model": "base", "label": "baseline"}"#), .text("Baseline recorded."),
    call(
        "plan",
        #"{"iteration": 1, "weakness": "wrong sums", "evidence": ["q10"], "hypothesis": "QA pairs help", "#
            + #""changes": ["data"], "successCriterion": "accuracy >= 0.5"}"#),
    call(
        "data",
        #"{"action": "build", "iteration": 1, "dataset": "qa", "sources": ["\#(source.path)"], "#
            + #""format": "alpaca", "mapping": {"instruction": "{question}", "output": "{answer}"}}"#),
    call("data", #"{"action": "validate", "iteration": 1, "dataset": "qa"}"#),
    call("train", #"{"iteration": 1, "datasets": ["qa"], "hyperparameters": {"learning_rate": 0.005}}"#),
    call("train", #"{"iteration": 1, "datasets": ["qa"], "hyperparameters": {"learning_rate": 0.0002}}"#),
    call("eval", #"{"iteration": 1, "model": "iter1-job1", "label": "lr2e-4"}"#),
    call(
        "log",
        #"{"iteration": 1, "stage": "sft-sweep", "hypothesis": "QA pairs help", "data": ["qa"], "#
            + #""scores": ["lr2e-4"], "decision": "keep", "nextStep": "try 1e-4"}"#),
    .text("Sweep done."),
]

let registry = try CheckpointRegistry(runDirectory: workspace.root, baseModel: base)
let runner = WorkflowRunner(
    workflow: workflow, provider: ScriptedModelProvider(turns: script), model: "scripted",
    tools: InterfaceTools.all(in: environment), store: store, registry: registry,
    budget: BudgetClock(limits: BudgetLimits(deadline: Date().addingTimeInterval(3600), finalReserve: 60)))
let outcome = try await runner.run(task: "Improve the toy benchmark's accuracy.")

// Everything the run did is in the store (events.jsonl) as typed records: print the milestones and the denial.
for record in try await store.records() {
    if let entered = record.decode(StageEntered.self) { print("stage      \(entered.stage)") }
    if let denied = record.decode(CallDenied.self) { print("DENIED     \(denied.tool) by '\(denied.rule)': \(denied.reason)") }
    if let trained = record.decode(TrainFinished.self) { print("trained    \(trained.jobID) -> \(trained.modelDirectory)") }
    if let baseline = record.decode(BaselineEvaluated.self) { print("baseline   score \(baseline.score)") }
    if let evaluated = record.decode(CandidateEvaluated.self) {
        print("evaluated  \(evaluated.candidateID): \(evaluated.reason)")
    }
    if let transition = record.decode(StageTransition.self) { print("exit       '\(transition.exit)' -> \(transition.to)") }
}
print(outcome.summary)
print("Run folder (events.jsonl, experiment_log.md, checkpoints/): \(workspace.root.path)")
