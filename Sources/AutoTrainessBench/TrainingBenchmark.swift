import AgentCore
import AutoTrainess
import Evaluation
import Foundation
import Runtime
import TrainingBackends
import Workflows

/// `autotrainess-bench training`: the same small job (the demo's model and task) trained four ways, samples/s each.
///
/// - `backend, 0.1.0 defaults`: ``LlamaFactoryBackend`` with what 0.1.0 ran: half the cores as threads and
///   LlamaFactory's gradient checkpointing on;
/// - `backend`: ``LlamaFactoryBackend`` with today's decided settings (``TrainingDefaults``);
/// - `llamafactory-cli`: the config file the backend wrote, run directly with the same thread count (our overhead);
/// - `plain loop`: `Python/scripts/benchmark/plain_training_loop.py`, a transformers loop an agent would write.
///
/// Samples/s is the trainer's own (`train_samples_per_second`: the training loop, without loading); wall seconds
/// include Python start-up, loading and saving. With `--evaluate`, each backend-trained model is evaluated on the
/// demo's held-out items, for quality after N steps. Runs alternate between paths so that drift in a shared
/// machine's load spreads over all of them.
struct TrainingBenchmark {
    static let usage = """
          --steps N          optimizer steps per job (default 12)
          --batch-size N     samples per step (default 8)
          --methods LIST     lora, full or both (default lora,full)
          --repeats N        rounds over the paths (default 1)
          --evaluate         evaluate each backend-trained model on the demo's 150 held-out items
          --work DIR         where jobs write (default a temporary folder, removed after)
          --skip-old         leave out the 0.1.0 defaults (for repeated overhead measurements)
        """

    var steps = 12
    var batchSize = 8
    var methods: [FinetuningType] = [.lora, .full]
    var repeats = 1
    var evaluate = false
    var skipOld = false
    var work: URL?

    init(arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            func value() throws -> String {
                guard let next = rest.popFirst() else { throw BenchmarkUsageError("\(flag) needs a value") }
                return next
            }
            switch flag {
            case "--steps": steps = try Self.positive(value(), flag)
            case "--batch-size": batchSize = try Self.positive(value(), flag)
            case "--repeats": repeats = try Self.positive(value(), flag)
            case "--evaluate": evaluate = true
            case "--skip-old": skipOld = true
            case "--work": work = URL(fileURLWithPath: try value(), isDirectory: true)
            case "--methods":
                methods = try value().split(separator: ",").map {
                    guard let method = FinetuningType(rawValue: String($0)), method != .freeze else {
                        throw BenchmarkUsageError("--methods takes lora and full, not '\($0)'")
                    }
                    return method
                }
            default: throw BenchmarkUsageError("unknown option \(flag)\n\(Self.usage)")
            }
        }
    }

    static func positive(_ text: String, _ flag: String) throws -> Int {
        guard let number = Int(text), number > 0 else { throw BenchmarkUsageError("\(flag) takes a positive number") }
        return number
    }

    /// One measured job.
    struct Measurement {
        var path: String
        var method: FinetuningType
        var samplesPerSecond: Double
        var wallSeconds: Double
        var finalLoss: Double?
        var score: Double?
    }

    func run() async throws {
        let python = PythonEnvironment()
        try await python.ensure { print("[environment] \($0)") }
        let root = work ?? FileManager.default.temporaryDirectory.appendingPathComponent(
            "autotrainess-bench-training-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { if work == nil { try? FileManager.default.removeItem(at: root) } }
        let demo = DemoRun(settings: .standard, runsDirectory: root, launcher: RunLauncher(progress: { print($0) }))
        let model = try await demo.provisionModel()
        let data = root.appendingPathComponent("data", isDirectory: true)
        let splits = try DemoBenchmark(settings: .standard).generate()
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try splits.writeTraining(to: data.appendingPathComponent("train.json"))
        try Data(#"{"bench": {"file_name": "train.json"}}"#.utf8).write(
            to: data.appendingPathComponent("dataset_info.json"))
        let hardware = Hardware.detect()
        print(
            "Training benchmark: \(DemoModel.smolLM2.summary), \(steps) steps x batch \(batchSize), cutoff 96, fp32; "
                + "\(hardware.cpuCores) cores; methods \(methods.map(\.rawValue).joined(separator: ", ")).")

        var measurements: [Measurement] = []
        for round in 1...repeats {
            for method in methods {
                let job = self.job(method, model: model, data: data, root: root, round: round)
                if !skipOld {
                    var old = try await backend(
                        oldDefaults(job, cores: hardware.cpuCores), python, "backend, 0.1.0 defaults")
                    if evaluate { old.measurement.score = try await score(old.job, splits: splits, root: root, python) }
                    measurements.append(old.measurement)
                }
                var current = try await backend(job, python, "backend")
                if evaluate {
                    current.measurement.score = try await score(current.job, splits: splits, root: root, python)
                }
                let direct = try await direct(current.job, python)
                let plain = try await plain(method, model: model, data: data, threads: hardware.cpuCores, python)
                measurements += [current.measurement, direct, plain]
            }
        }
        print(table(measurements))
    }

    // MARK: - Jobs

    func job(_ method: FinetuningType, model: URL, data: URL, root: URL, round: Int) -> TrainingJob {
        var hyperparameters: [String: JSONValue] = [
            "max_steps": .number(Double(steps)), "per_device_train_batch_size": .number(Double(batchSize)),
            "gradient_accumulation_steps": 1, "lr_scheduler_type": "cosine", "warmup_ratio": 0.05,
            "cutoff_len": 96, "save_strategy": "no", "bf16": false, "fp16": false, "seed": 42,
            "learning_rate": method == .lora ? 2e-3 : 1e-4,
        ]
        if method == .lora {
            hyperparameters.merge(["lora_target": "all", "lora_rank": 16, "lora_alpha": 32, "lora_dropout": 0.0]) {
                $1
            }
        }
        let output = root.appendingPathComponent("\(method.rawValue)-\(round)", isDirectory: true)
        return TrainingJob(
            id: "\(method.rawValue)-\(round)", baseModel: model, finetuning: method, datasets: ["bench"],
            datasetDirectory: data, template: DemoModel.smolLM2.llamaFactoryTemplate,
            hyperparameters: hyperparameters, outputDirectory: output,
            mergedModelDirectory: evaluate ? Self.sibling(output, suffix: "-model") : nil)
    }

    /// `folder`'s name with `suffix`, beside it.
    static func sibling(_ folder: URL, suffix: String) -> URL {
        folder.deletingLastPathComponent().appendingPathComponent(folder.lastPathComponent + suffix)
    }

    /// What 0.1.0 ran: half the cores, gradient checkpointing on.
    func oldDefaults(_ job: TrainingJob, cores: Int) -> TrainingJob {
        var job = job
        job.id += "-old"
        job.outputDirectory = Self.sibling(job.outputDirectory, suffix: "-old")
        job.mergedModelDirectory = job.mergedModelDirectory.map { Self.sibling($0, suffix: "-old") }
        job.cpuThreads = max(1, cores / 2)
        job.hyperparameters["disable_gradient_checkpointing"] = false
        return job
    }

    func backend(_ job: TrainingJob, _ python: PythonEnvironment, _ label: String) async throws
        -> (job: TrainingJob, measurement: Measurement)
    {
        let backend = LlamaFactoryBackend(environment: python, provisionsEnvironment: false)
        let prepared = backend.prepare(job)
        print("\n\(label) (\(job.finetuning.rawValue)): " + prepared.choices.map(\.summary).joined(separator: "; "))
        var result: TrainingResult?
        for try await event in backend.train(prepared) {
            if case .finished(let finished) = event { result = finished }
        }
        guard let result else { throw BenchmarkUsageError("\(label): the backend ended without a result") }
        return (prepared, measure(label, job.finetuning, metrics: result.metrics, wall: result.wallSeconds,
                                  output: result.outputDirectory))
    }

    /// The backend's config file, run by `llamafactory-cli train` directly into a fresh output folder.
    func direct(_ job: TrainingJob, _ python: PythonEnvironment) async throws -> Measurement {
        let written = Self.sibling(job.outputDirectory, suffix: "_train_config.yaml")
        let output = Self.sibling(job.outputDirectory, suffix: "-direct")
        var values = try JSONDecoder().decode(
            [String: JSONValue].self,
            from: Data(try String(contentsOf: written, encoding: .utf8).split(separator: "\n").dropFirst()
                .joined(separator: "\n").utf8))
        values["output_dir"] = .string(output.path)
        let config = LlamaFactoryConfig(command: .train, values: values)
        let file = URL(fileURLWithPath: output.path + "_train_config.yaml")
        try config.write(to: file)
        print("\nllamafactory-cli train \(file.lastPathComponent) (\(job.finetuning.rawValue))")
        let started = Date()
        let outcome = try await ProcessRunner.run(
            ProcessSpec(
                executable: python.binDirectory.appendingPathComponent("llamafactory-cli").path,
                arguments: ["train", file.path],
                environment: python.processEnvironment(threads: job.cpuThreads)))
        guard outcome.succeeded else {
            throw BenchmarkUsageError("llamafactory-cli failed:\n" + outcome.outputTail.suffix(20).joined(separator: "\n"))
        }
        let metrics = TrainerLog.metrics(fromResultsFile: output.appendingPathComponent("all_results.json"))
        return measure(
            "llamafactory-cli", job.finetuning, metrics: metrics, wall: Date().timeIntervalSince(started),
            output: output)
    }

    func plain(_ method: FinetuningType, model: URL, data: URL, threads: Int, _ python: PythonEnvironment)
        async throws -> Measurement
    {
        let result = data.appendingPathComponent("plain-\(method.rawValue).json")
        let script = PackageResources.python.appendingPathComponent("scripts/benchmark/plain_training_loop.py")
        print("\nplain loop (\(method.rawValue))")
        let started = Date()
        let outcome = try await ProcessRunner.run(
            ProcessSpec(
                executable: python.pythonExecutable.path,
                arguments: [
                    script.path, "--model", model.path, "--data", data.appendingPathComponent("train.json").path,
                    "--method", method.rawValue, "--steps", String(steps), "--batch-size", String(batchSize),
                    "--cutoff", "96", "--lr", method == .lora ? "2e-3" : "1e-4", "--threads", String(threads),
                    "--output", result.path,
                ],
                environment: python.processEnvironment(threads: threads)))
        guard outcome.succeeded, let values = try? JSONDecoder().decode([String: Double].self, from: Data(
            contentsOf: result))
        else {
            throw BenchmarkUsageError("plain loop failed:\n" + outcome.outputTail.suffix(20).joined(separator: "\n"))
        }
        return Measurement(
            path: "plain loop", method: method, samplesPerSecond: values["train_samples_per_second"] ?? 0,
            wallSeconds: Date().timeIntervalSince(started), finalLoss: values["final_loss"])
    }

    func measure(_ path: String, _ method: FinetuningType, metrics: [String: Double], wall: Double, output: URL)
        -> Measurement
    {
        let log = (try? String(contentsOf: output.appendingPathComponent("trainer_log.jsonl"), encoding: .utf8)) ?? ""
        let lastLoss = TrainerLog.progress(fromText: log).compactMap(\.loss).last
        return Measurement(
            path: path, method: method, samplesPerSecond: metrics["train_samples_per_second"] ?? 0, wallSeconds: wall,
            finalLoss: lastLoss)
    }

    func score(_ job: TrainingJob, splits: DemoSplits, root: URL, _ python: PythonEnvironment) async throws -> Double {
        let items = splits.test.map { BenchmarkItem(id: $0.id, prompt: $0.prompt, target: $0.target, scorer: .exact) }
        let evaluator = LocalBenchmarkEvaluator(
            benchmark: LocalBenchmark(name: DemoBenchmark.name, items: items),
            workDirectory: root.appendingPathComponent("eval-\(job.id)", isDirectory: true), maxNewTokens: 8,
            batchSize: 25, environment: python)
        let report = try await evaluator.evaluate(
            EvaluationTarget(modelPath: (job.mergedModelDirectory ?? job.outputDirectory).path, label: job.id))
        return report.score
    }

    // MARK: - Output

    func table(_ measurements: [Measurement]) -> String {
        var lines = ["", "| method | path | samples/s | s/step | wall s | final loss | vs backend |"
            + (evaluate ? " exact match |" : ""), "|---|---|---|---|---|---|---|" + (evaluate ? "---|" : "")]
        var ratios: [String] = []
        for method in methods {
            let rows = Dictionary(grouping: measurements.filter { $0.method == method }, by: \.path)
            func median(_ path: String) -> Double {
                let rates = (rows[path] ?? []).map(\.samplesPerSecond).sorted()
                return rates.isEmpty ? 0 : rates[rates.count / 2]
            }
            let backend = median("backend")
            for path in ["backend, 0.1.0 defaults", "backend", "llamafactory-cli", "plain loop"] {
                guard let runs = rows[path], let last = runs.last else { continue }
                let rate = median(path)
                var line = String(
                    format: "| %@ | %@ | %.2f | %.2f | %.0f | %@ | %.2f |", method.rawValue, path, rate,
                    Double(batchSize) / max(rate, 1e-9), runs.map(\.wallSeconds).reduce(0, +) / Double(runs.count),
                    last.finalLoss.map { String(format: "%.3f", $0) } ?? "-", backend / max(rate, 1e-9))
                if evaluate { line += " \(last.score.map { String(format: "%.3f", $0) } ?? "-") |" }
                lines.append(line)
            }
            ratios.append(String(format: "%@: backend / llamafactory-cli %.3f", method.rawValue,
                                 backend / max(median("llamafactory-cli"), 1e-9)))
            ratios.append(String(format: "%@: backend / plain loop %.3f", method.rawValue,
                                 backend / max(median("plain loop"), 1e-9)))
            ratios.append(String(format: "%@: backend / 0.1.0 defaults %.3f", method.rawValue,
                                 backend / max(median("backend, 0.1.0 defaults"), 1e-9)))
        }
        return (lines + [""] + ratios).joined(separator: "\n")
    }
}

/// A usage or run error of the benchmark, printed as is.
struct BenchmarkUsageError: Error, CustomStringConvertible {
    var description: String
    init(_ description: String) { self.description = description }
}
