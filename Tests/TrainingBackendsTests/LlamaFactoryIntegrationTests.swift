import AgentCore
import Foundation
import Runtime
import Testing
import TrainingBackends

/// Builds the tiny random Qwen2 model and toy dataset once (Python/testing/make_tiny_model.py).
actor TinyModelFixture {
    static let shared = TinyModelFixture()
    private var built: Task<URL, any Error>?

    func directory(environment: PythonEnvironment) async throws -> URL {
        if let built { return try await built.value }
        let task = Task<URL, any Error> {
            let folder = try Fixtures.temporaryDirectory("tiny-qwen2")
            let script = PackageResources.python.appendingPathComponent("testing/make_tiny_model.py")
            let spec = ProcessSpec(
                executable: environment.pythonExecutable.path, arguments: [script.path, folder.path],
                environment: environment.processEnvironment())
            let outcome = try await ProcessRunner.run(spec)
            guard outcome.succeeded else {
                throw TrainingFailure(
                    cause: .unknown, message: "make_tiny_model.py failed: \(outcome.summary)", fix: "read the tail",
                    logTail: outcome.outputTail)
            }
            return folder
        }
        built = task
        return try await task.value
    }
}

/// Real LlamaFactory runs on CPU. They use the managed environment (provisioned on first use, or the venv in
/// `AUTOTRAINESS_PYTHON_VENV`); set `AUTOTRAINESS_SKIP_INSTALL_TESTS=1` to skip them without PyPI access.
@Suite("LlamaFactory integration", .serialized)
struct LlamaFactoryIntegrationTests {
    static let enabled = ProcessInfo.processInfo.environment["AUTOTRAINESS_SKIP_INSTALL_TESTS"] == nil

    static func environment() async throws -> PythonEnvironment {
        let environment = PythonEnvironment()
        try await environment.ensure(progress: { print("[python environment] \($0)") })
        return environment
    }

    static func job(model: URL, output: URL, steps: Int, merged: URL?) -> TrainingJob {
        TrainingJob(
            id: "tiny-sft", baseModel: model.appendingPathComponent("model"), method: .sft, finetuning: .lora,
            datasets: ["toy_sft"], datasetDirectory: model.appendingPathComponent("data"), template: "qwen",
            hyperparameters: [
                "max_steps": .number(Double(steps)), "per_device_train_batch_size": 4, "learning_rate": 1e-3,
                "cutoff_len": 64, "lora_rank": 8, "save_strategy": "no",
            ],
            outputDirectory: output, mergedModelDirectory: merged,
            deadline: Date().addingTimeInterval(900)
        )
    }

    @Test(.enabled(if: enabled))
    func loraSFTOnATinyModelThenMergeAndLoadWithTransformers() async throws {
        let environment = try await Self.environment()
        let model = try await TinyModelFixture.shared.directory(environment: environment)
        let work = try Fixtures.temporaryDirectory("lf-sft")
        defer { try? FileManager.default.removeItem(at: work) }
        let merged = work.appendingPathComponent("merged_model")
        var job = Self.job(model: model, output: work.appendingPathComponent("output"), steps: 30, merged: merged)
        job.hyperparameters["save_strategy"] = "steps"
        job.hyperparameters["save_steps"] = 15

        var started: [[String]] = []
        var progress: [TrainingProgress] = []
        var logLines = 0
        var result: TrainingResult?
        for try await event in LlamaFactoryBackend(environment: environment).train(job) {
            switch event {
            case .started(let command): started.append(command)
            case .progress(let value): progress.append(value)
            case .log: logLines += 1
            case .finished(let value): result = value
            }
        }
        let finished = try #require(result)
        print("LlamaFactory tiny LoRA SFT (30 steps) + export wall time: \(finished.wallSeconds) s")
        #expect(started.count == 3, "train, export of the step-15 checkpoint, export of the final model")
        #expect(started.first?.suffix(2).first == "train")
        #expect(started.last?.suffix(2).first == "export")
        // The adapter saved at step 15 was merged into a loadable model beside the final one; the trainer's raw
        // checkpoint folders are gone.
        #expect(finished.checkpoints.map(\.modelDirectory.path) == [merged.path + "-step15"])
        #expect(FileManager.default.fileExists(atPath: merged.path + "-step15/model.safetensors"))
        let outputNames = try FileManager.default.contentsOfDirectory(atPath: finished.outputDirectory.path)
        #expect(!outputNames.contains { $0.hasPrefix("checkpoint-") }, "\(outputNames)")
        #expect(logLines > 0)
        #expect(progress.last?.step == 30)
        #expect(progress.last?.totalSteps == 30)
        #expect(progress.contains { $0.loss != nil })
        #expect(finished.metrics["train_loss"] != nil)
        #expect(finished.modelDirectory.path == merged.path)
        for file in ["config.json", "generation_config.json", "tokenizer_config.json", "model.safetensors"] {
            #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent(file).path), "\(file)")
        }

        let load = """
            import sys
            from transformers import AutoModelForCausalLM, AutoTokenizer
            model = AutoModelForCausalLM.from_pretrained(sys.argv[1])
            tokenizer = AutoTokenizer.from_pretrained(sys.argv[1])
            text = tokenizer.apply_chat_template([{"role": "user", "content": "What is 2 plus 3?"}], \
            tokenize=False, add_generation_prompt=True)
            ids = tokenizer(text, return_tensors="pt").input_ids
            out = model.generate(ids, max_new_tokens=8, do_sample=False)
            print("LOADED", model.config.model_type, out.shape[1] > ids.shape[1])
            """
        let lines = LineCollector()
        let outcome = try await ProcessRunner.run(
            ProcessSpec(
                executable: environment.pythonExecutable.path, arguments: ["-c", load, merged.path],
                environment: environment.processEnvironment())
        ) { lines.append($0.text) }
        #expect(outcome.succeeded, "\(outcome.outputTail.suffix(10))")
        #expect(lines.lines.contains("LOADED qwen2 True"))
        let checkpointLines = LineCollector()
        let checkpointLoad = try await ProcessRunner.run(
            ProcessSpec(
                executable: environment.pythonExecutable.path, arguments: ["-c", load, merged.path + "-step15"],
                environment: environment.processEnvironment())
        ) { checkpointLines.append($0.text) }
        #expect(checkpointLoad.succeeded, "\(checkpointLoad.outputTail.suffix(10))")
        #expect(checkpointLines.lines.contains("LOADED qwen2 True"))
    }

    @Test(.enabled(if: enabled))
    func fullFineTuningLinksTheModelWithoutAnExportPassAndTrainingContinuesFromIt() async throws {
        let environment = try await Self.environment()
        let model = try await TinyModelFixture.shared.directory(environment: environment)
        let work = try Fixtures.temporaryDirectory("lf-full")
        defer { try? FileManager.default.removeItem(at: work) }
        let backend = LlamaFactoryBackend(environment: environment)
        var job = Self.job(
            model: model, output: work.appendingPathComponent("output"), steps: 6,
            merged: work.appendingPathComponent("checkpoint"))
        job.finetuning = .full
        job.hyperparameters["lora_rank"] = nil
        job.hyperparameters["save_strategy"] = "steps"
        job.hyperparameters["save_steps"] = 3
        var commands: [[String]] = []
        var result: TrainingResult?
        for try await event in backend.train(job) {
            if case .started(let command) = event { commands.append(command) }
            if case .finished(let value) = event { result = value }
        }
        let first = try #require(result)
        #expect(commands.count == 1, "no export pass: \(commands)")
        #expect(first.modelDirectory.path == work.appendingPathComponent("checkpoint").path)
        let names = try FileManager.default.contentsOfDirectory(atPath: first.modelDirectory.path)
        for file in ["config.json", "tokenizer_config.json", "model.safetensors"] {
            #expect(names.contains(file), "\(file) in \(names)")
        }
        #expect(!names.contains("trainer_log.jsonl") && !names.contains("all_results.json"))
        let saved = try #require(first.checkpoints.first)
        #expect(first.checkpoints.count == 1 && saved.step == 3)
        let savedNames = try FileManager.default.contentsOfDirectory(atPath: saved.modelDirectory.path)
        #expect(savedNames.contains("model.safetensors") && savedNames.contains("tokenizer_config.json"))
        let config = try String(contentsOf: URL(fileURLWithPath: job.outputDirectory.path + "_train_config.yaml"),
                                encoding: .utf8)
        #expect(config.replacingOccurrences(of: " ", with: "").contains("\"disable_gradient_checkpointing\":true"))

        var next = Self.job(
            model: model, output: work.appendingPathComponent("output2"), steps: 3,
            merged: work.appendingPathComponent("checkpoint2"))
        next.finetuning = .full
        next.hyperparameters["lora_rank"] = nil
        next.baseModel = first.modelDirectory
        var continued: TrainingResult?
        for try await event in backend.train(next) {
            if case .finished(let value) = event { continued = value }
        }
        #expect(continued?.metrics["train_loss"] != nil)
    }

    @Test(.enabled(if: enabled))
    func twoJobsSideBySideSplitTheCoresAndEachRunsWithItsShare() async throws {
        let environment = try await Self.environment()
        let model = try await TinyModelFixture.shared.directory(environment: environment)
        let work = try Fixtures.temporaryDirectory("lf-side-by-side")
        defer { try? FileManager.default.removeItem(at: work) }
        let backend = LlamaFactoryBackend(environment: environment, hardware: Hardware(cpuCores: 2))
        let cores = MachineCores(directory: environment.cores.directory, capacity: 2)
        func run(_ index: Int) async throws -> (TrainingResult, ClosedRange<Date>) {
            var job = Self.job(
                model: model, output: work.appendingPathComponent("job\(index)"), steps: 4, merged: nil)
            job.id = "job\(index)"
            job.cpuThreads = cores.share(index, among: 2)
            let start = Date()
            var result: TrainingResult?
            for try await event in backend.train(job) {
                if case .finished(let value) = event { result = value }
            }
            return (try #require(result), start...Date())
        }
        async let first = run(0)
        async let second = run(1)
        let (a, b) = try await (first, second)
        #expect(a.0.cpuThreads == 1 && b.0.cpuThreads == 1)
        #expect(a.1.overlaps(b.1), "the two jobs ran side by side")
        for result in [a.0, b.0] {
            let config = try String(
                contentsOf: URL(fileURLWithPath: result.outputDirectory.path + "_train_config.yaml"), encoding: .utf8)
            #expect(config.contains("dataloader_num_workers"))
        }
    }

    @Test(.enabled(if: enabled))
    func droppingTheStreamTearsDownTheTrainingProcessTree() async throws {
        let environment = try await Self.environment()
        let model = try await TinyModelFixture.shared.directory(environment: environment)
        let work = try Fixtures.temporaryDirectory("lf-cancel")
        defer { try? FileManager.default.removeItem(at: work) }
        let output = work.appendingPathComponent("output")
        let job = Self.job(model: model, output: output, steps: 100_000, merged: nil)

        var sawProgress = false
        for try await event in LlamaFactoryBackend(environment: environment).train(job) {
            if case .progress = event {
                sawProgress = true
                break
            }
        }
        #expect(sawProgress)
        // The config path is unique to this run: any process still naming it is an orphan.
        let marker = output.lastPathComponent + "_train_config"
        var survivors = Self.processes(mentioning: work.path, marker)
        for _ in 0..<300 where !survivors.isEmpty {
            try await Task.sleep(for: .milliseconds(100))
            survivors = Self.processes(mentioning: work.path, marker)
        }
        #expect(survivors.isEmpty, "processes left behind: \(survivors)")
    }

    /// Live processes whose command line contains both strings.
    static func processes(mentioning first: String, _ second: String) -> [String] {
        let entries = (try? FileManager.default.contentsOfDirectory(atPath: "/proc")) ?? []
        return entries.compactMap { entry -> String? in
            guard Int32(entry) != nil,
                let data = FileManager.default.contents(atPath: "/proc/\(entry)/cmdline"), !data.isEmpty,
                let stat = try? String(contentsOfFile: "/proc/\(entry)/stat", encoding: .utf8),
                !stat.contains(") Z ")
            else { return nil }
            let command = String(decoding: data, as: UTF8.self).replacingOccurrences(of: "\0", with: " ")
            return command.contains(first) && command.contains(second) ? "\(entry): \(command)" : nil
        }
    }
}
