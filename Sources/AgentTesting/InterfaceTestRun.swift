public import AgentCore
public import DataEngine
public import Foundation
public import Interfaces
public import Evaluation
public import TrainingBackends
import Runtime

/// A `DatasetChecker` that counts the rows of a JSON-array file and reports the configured findings and
/// contamination hits.
public struct CountingDatasetChecker: DatasetChecker {
    /// Findings every check reports.
    public var findings: [DatasetFinding]
    /// Contamination hits every check reports.
    public var contamination: [ContaminationHit]

    /// Creates a checker.
    public init(findings: [DatasetFinding] = [], contamination: [ContaminationHit] = []) {
        self.findings = findings
        self.contamination = contamination
    }

    public func check(file: URL, format: String, cutoffLength: Int) async throws -> DatasetCheck {
        let rows = try DatasetBuilder.readRows(file)  // a JSON array, or JSONL (as filter checks rows)
        return DatasetCheck(sampleCount: rows.count, findings: findings, contamination: contamination)
    }
}

/// A fresh run folder with the interface tools wired to fakes: a ``FakeTrainingBackend`` that writes stand-in models,
/// the ``ScoringEvaluator/arithmetic(baseModel:size:)`` benchmark and a ``CountingDatasetChecker``. For testing tools
/// and custom tools the way a model calls them.
///
/// ```swift
/// let run = try InterfaceTestRun()
/// let output = try await run.call("list_dir", #"{"path": "."}"#)
/// ```
public struct InterfaceTestRun: Sendable {
    /// The run folder.
    public let root: URL
    public let workspace: Workspace
    public let store: JSONLExperimentStore
    public let environment: InterfaceEnvironment
    /// The tools by name.
    public let tools: [String: AnyTool]
    /// The task's data root (sources written by ``writeSource(_:rows:)``).
    public let dataFolder: URL

    /// Creates the run folder and its tools; the training backend logs `step N of M` and writes stand-in models
    /// unless a real backend (and evaluator) is given.
    /// `hiddenSources` are files of the data root that no tool may read (as the benchmark file is in a real run).
    /// - Throws: when the folder cannot be created.
    public init(
        backend: any TrainingBackend = FakeTrainingBackend(
            script: .init(steps: 4, logsSteps: true, metrics: ["train_loss": 0.5], wallSeconds: 3),
            output: .loadableModel),
        checker: any DatasetChecker = CountingDatasetChecker(),
        commandEnvironment: [String: String] = ["PATH": "/usr/bin:/bin"], hiddenSources: [String] = [],
        teacher: TeacherPolicy = TeacherPolicy(), gpus: [Int]? = nil, template: String = "qwen",
        evaluator: (any Evaluator)? = nil
    ) throws {
        let base = FileManager.default.temporaryDirectory
            .appendingPathComponent("autotrainess-tests-\(UUID().uuidString)", isDirectory: true)
        root = base.appendingPathComponent("run", isDirectory: true)
        dataFolder = base.appendingPathComponent("sources", isDirectory: true)
        try FileManager.default.createDirectory(at: dataFolder, withIntermediateDirectories: true)
        let baseModel = base.appendingPathComponent("base-model").path
        try FileManager.default.createDirectory(atPath: baseModel, withIntermediateDirectories: true)
        let task = TaskProfile(
            name: "toy-math", baseModel: baseModel, template: template, benchmark: "toy-math", benchmarkSize: 100,
            cutoffLength: 512, dataRoots: [dataFolder.path])
        let manifest = RunManifest(runID: "test", task: task, budget: RunBudget(totalSeconds: 3600))
        workspace = try Workspace.create(at: root, manifest: manifest).0
        store = try workspace.openStore()
        environment = InterfaceEnvironment(
            workspace: workspace, task: task, store: store, backend: backend,
            evaluator: evaluator ?? ScoringEvaluator.arithmetic(baseModel: baseModel), checker: checker,
            commandEnvironment: commandEnvironment,
            hiddenPaths: hiddenSources.map { [dataFolder] in dataFolder.appendingPathComponent($0) }, teacher: teacher,
            devices: gpus.map { DeviceScheduler(devices: $0) })
        let skills = try SkillLibrary()
        tools = Dictionary(
            uniqueKeysWithValues: InterfaceTools.all(in: environment, skills: skills).map { ($0.name, $0) })
    }

    /// Calls `tool` with JSON `arguments`, as a model would.
    /// - Throws: when there is no such tool, or the tool throws.
    public func call(_ tool: String, _ arguments: String) async throws -> ToolOutput {
        guard let found = tools[tool] else { throw FakeTrainingBackend.Crash(description: "no tool \(tool)") }
        return try await found.call(arguments: arguments, in: ToolContext(callID: UUID().uuidString))
    }

    /// Writes `rows` as a JSONL source file in the data root and returns its path.
    /// - Throws: when the file cannot be written.
    public func writeSource(_ name: String, rows: [[String: JSONValue]]) throws -> String {
        let url = dataFolder.appendingPathComponent(name)
        let text = rows.map { JSONValue.object($0).compactText }.joined(separator: "\n") + "\n"
        try Data(text.utf8).write(to: url)
        return url.path
    }

    /// 40 question/answer rows unrelated to the benchmark items.
    /// - Throws: when the file cannot be written.
    public func writeMathSource() throws -> String {
        try writeSource(
            "math.jsonl",
            rows: (1...40).map { index in
                ["question": .string("Add \(index) and \(index + 1)."), "answer": .number(Double(2 * index + 1))]
            })
    }

    /// The text of `url`, empty when it cannot be read.
    public func text(_ url: URL) -> String {
        (try? String(contentsOf: url, encoding: .utf8)) ?? ""
    }
}
