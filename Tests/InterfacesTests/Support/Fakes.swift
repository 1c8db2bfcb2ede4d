import AgentCore
import DataEngine
import Evaluation
import Foundation
import Interfaces
import TrainingBackends

/// A backend that reports `steps` progress events with falling loss, then finishes (or fails).
struct FakeTrainingBackend: TrainingBackend {
    var steps = 4
    var failure: String?

    func train(_ job: TrainingJob) -> AsyncThrowingStream<TrainingEvent, any Error> {
        let (stream, continuation) = AsyncThrowingStream.makeStream(of: TrainingEvent.self)
        let task = Task {
            continuation.yield(.started(command: ["fake-train", job.id]))
            for step in 1...steps {
                continuation.yield(.log("step \(step) of \(steps)"))
                continuation.yield(
                    .progress(TrainingProgress(step: step, totalSteps: steps, loss: 2.0 / Double(step))))
            }
            if let failure {
                continuation.finish(throwing: FakeFailure(message: failure))
                return
            }
            let model = job.mergedModelDirectory ?? job.outputDirectory
            try? FileManager.default.createDirectory(
                atPath: model, withIntermediateDirectories: true)
            try? Data("{}".utf8).write(to: URL(fileURLWithPath: model).appendingPathComponent("config.json"))
            continuation.yield(
                .finished(
                    TrainingResult(
                        jobID: job.id, outputDirectory: job.outputDirectory, modelDirectory: model,
                        metrics: ["train_loss": 0.5], wallSeconds: 3)))
            continuation.finish()
        }
        continuation.onTermination = { _ in task.cancel() }
        return stream
    }
}

struct FakeFailure: Error, CustomStringConvertible {
    var message: String
    var description: String { message }
}

/// An evaluator over a fixed benchmark of `size` arithmetic items; the base model answers item `i` right when
/// `i % 10 == 0`, any other model when `i % 2 == 0`.
struct FakeEvaluator: Evaluator {
    var size = 100
    var baseModel: String

    func evaluate(_ target: EvaluationTarget) async throws -> EvaluationReport {
        if target.label.hasPrefix("crash") {
            throw FakeFailure(message: "evaluator crashed: model folder has no weights")
        }
        let count = min(target.limit ?? size, size)
        let isBase = target.modelPath == baseModel
        let samples = (0..<count).map { index in
            let correct = isBase ? index % 10 == 0 : index % 2 == 0
            let answer = index * 3
            return SampleRecord(
                id: "item-\(index)", input: "What is \(index) times 3?", target: "\(answer)",
                output: correct ? "#### \(answer)" : (index % 3 == 0 ? "I am not sure" : "#### \(answer + 1)"),
                score: correct ? 1 : 0)
        }
        let score = samples.map(\.score).reduce(0, +) / Double(max(count, 1))
        return EvaluationReport(
            benchmark: "toy-math", metric: "accuracy", score: score,
            stderr: (score * (1 - score) / Double(max(count - 1, 1))).squareRoot(), sampleCount: count,
            limit: target.limit, samples: samples, command: ["fake-eval"], versions: [:],
            modelPath: target.modelPath, label: target.label, durationSeconds: 2)
    }
}

/// A checker that counts the rows of the file and returns `findings` and `contamination` as configured.
struct FakeDatasetChecker: DatasetChecker {
    var findings: [DatasetFinding] = []
    var contamination: [ContaminationHit] = []

    func check(file: URL, format: String, cutoffLength: Int) async throws -> DatasetCheck {
        let rows = try JSONDecoder().decode([JSONValue].self, from: Data(contentsOf: file))
        return DatasetCheck(sampleCount: rows.count, findings: findings, contamination: contamination)
    }
}

/// A fresh run folder with the interface tools wired to fakes.
struct TestRun {
    let root: URL
    let workspace: Workspace
    let store: JSONLExperimentStore
    let environment: InterfaceEnvironment
    let tools: [String: AnyTool]
    let dataFolder: URL

    init(
        backend: FakeTrainingBackend = FakeTrainingBackend(), checker: FakeDatasetChecker = FakeDatasetChecker(),
        commandEnvironment: [String: String] = ["PATH": "/usr/bin:/bin"]
    ) throws {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("autotrainess-tests-\(UUID().uuidString)", isDirectory: true)
        root = base.appendingPathComponent("run", isDirectory: true)
        dataFolder = base.appendingPathComponent("sources", isDirectory: true)
        try FileManager.default.createDirectory(at: dataFolder, withIntermediateDirectories: true)
        let baseModel = base.appendingPathComponent("base-model").path
        try FileManager.default.createDirectory(atPath: baseModel, withIntermediateDirectories: true)
        let task = TaskProfile(
            name: "toy-math", baseModel: baseModel, template: "qwen", benchmark: "toy-math", benchmarkSize: 100,
            cutoffLength: 512, dataRoots: [dataFolder.path])
        let manifest = RunManifest(runID: "test", task: task, budget: RunBudget(totalSeconds: 3600))
        workspace = try Workspace.create(at: root, manifest: manifest).0
        store = try workspace.openStore()
        environment = InterfaceEnvironment(
            workspace: workspace, task: task, store: store, backend: backend,
            evaluator: FakeEvaluator(baseModel: baseModel), checker: checker, commandEnvironment: commandEnvironment)
        let skills = try SkillLibrary()
        tools = Dictionary(
            uniqueKeysWithValues: InterfaceTools.all(in: environment, skills: skills).map { ($0.name, $0) })
    }

    /// Calls `tool` with JSON `arguments`, as a model would.
    func call(_ tool: String, _ arguments: String) async throws -> ToolOutput {
        guard let tool = tools[tool] else { throw FakeFailure(message: "no tool \(tool)") }
        return try await tool.call(arguments: arguments, in: ToolContext(callID: UUID().uuidString))
    }

    /// Writes `rows` as a JSONL source file in the data root and returns its path.
    func writeSource(_ name: String, rows: [[String: JSONValue]]) throws -> String {
        let url = dataFolder.appendingPathComponent(name)
        let text = rows.map { JSONValue.object($0).compactText }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// 40 question/answer rows unrelated to the benchmark items.
    func writeMathSource() throws -> String {
        try writeSource(
            "math.jsonl",
            rows: (1...40).map { index in
                ["question": .string("Add \(index) and \(index + 1)."), "answer": .number(Double(2 * index + 1))]
            })
    }

    func text(_ url: URL) -> String {
        (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }
}
