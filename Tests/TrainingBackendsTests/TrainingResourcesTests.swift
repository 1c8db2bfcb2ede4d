import AgentCore
import Foundation
import Runtime
import Testing

@testable import TrainingBackends

@Suite("Training resources: threads, memory-dependent settings, core scheduling")
struct TrainingResourcesTests {
    /// A folder with the `config.json` of SmolLM2-135M.
    static func smolModel() throws -> URL {
        let folder = try Fixtures.temporaryDirectory("smol-config")
        let config = """
            {"hidden_size": 576, "num_hidden_layers": 30, "num_attention_heads": 9, "num_key_value_heads": 3,
             "vocab_size": 49152, "intermediate_size": 1536, "tie_word_embeddings": true}
            """
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
        return folder
    }

    static func job(model: URL, hyperparameters: [String: JSONValue] = [:], gpus: [Int] = []) -> TrainingJob {
        TrainingJob(
            id: "j", baseModel: model, datasets: ["d"], datasetDirectory: URL(fileURLWithPath: "/data"), template: "smollm2",
            hyperparameters: ["per_device_train_batch_size": 8, "cutoff_len": 96].merging(hyperparameters) { $1 },
            outputDirectory: URL(fileURLWithPath: "/tmp/out"), gpus: gpus)
    }

    static let roomy = Hardware(cpuCores: 2, availableMemoryBytes: 20 << 30)

    @Test func aJobAloneGetsEveryCoreAndTheReasonSaysSo() throws {
        let job = TrainingDefaults.apply(to: Self.job(model: try Self.smolModel()), hardware: Self.roomy, environment: [:])
        #expect(job.cpuThreads == 2)
        let threads = try #require(job.choices.first { $0.key == "threads" })
        #expect(threads.value == 2)
        #expect(threads.reason.contains("all 2 cores"))
    }

    @Test func anExplicitThreadCountInTheEnvironmentOrOnTheJobIsHonoured() throws {
        let model = try Self.smolModel()
        let fromEnvironment = TrainingDefaults.apply(
            to: Self.job(model: model), hardware: Self.roomy, environment: ["OMP_NUM_THREADS": "1"])
        #expect(fromEnvironment.cpuThreads == 1)
        var given = Self.job(model: model)
        given.cpuThreads = 1
        let decided = TrainingDefaults.apply(to: given, hardware: Self.roomy, environment: ["OMP_NUM_THREADS": "2"])
        #expect(decided.cpuThreads == 1)
        #expect(decided.choices.first { $0.key == "threads" }?.reason.contains("1 of 2 cores") == true)
    }

    @Test func gradientCheckpointingIsTurnedOffWhenTheJobFitsInMemory() throws {
        let job = TrainingDefaults.apply(to: Self.job(model: try Self.smolModel()), hardware: Self.roomy, environment: [:])
        #expect(job.hyperparameters["disable_gradient_checkpointing"] == true)
        let choice = try #require(job.choices.first { $0.key == "disable_gradient_checkpointing" })
        #expect(choice.reason.hasPrefix("off: estimated peak"))
        #expect(choice.reason.contains("134M parameters"))
        #expect(job.hyperparameters["packing"] == false)
        #expect(job.hyperparameters["dataloader_num_workers"] == 0)
        #expect(job.hyperparameters["dataloader_pin_memory"] == false)
    }

    @Test func gradientCheckpointingStaysOnWhenMemoryIsShortOrUnknown() throws {
        let model = try Self.smolModel()
        let small = TrainingDefaults.apply(
            to: Self.job(model: model, hyperparameters: ["cutoff_len": 4096]),
            hardware: Hardware(cpuCores: 2, availableMemoryBytes: 4 << 30), environment: [:])
        #expect(small.hyperparameters["disable_gradient_checkpointing"] == false)
        #expect(small.choices.first { $0.key == "disable_gradient_checkpointing" }?.reason.hasPrefix("kept on") == true)
        let unknown = TrainingDefaults.apply(
            to: Self.job(model: model, gpus: [0]), hardware: Hardware(cpuCores: 16), environment: [:])
        #expect(unknown.hyperparameters["disable_gradient_checkpointing"] == false)
        #expect(unknown.choices.first { $0.key == "disable_gradient_checkpointing" }?.reason.contains("unknown") == true)
        #expect(unknown.hyperparameters["dataloader_num_workers"] == 4)
        let noConfig = TrainingDefaults.apply(
            to: Self.job(model: URL(fileURLWithPath: "/nonexistent")), hardware: Self.roomy, environment: [:])
        #expect(noConfig.hyperparameters["disable_gradient_checkpointing"] == false)
    }

    @Test func aLargeModelOnAGPUKeepsCheckpointingAndASmallOneDropsIt() throws {
        let folder = try Fixtures.temporaryDirectory("big-config")
        let config = """
            {"hidden_size": 2048, "num_hidden_layers": 28, "num_attention_heads": 16, "num_key_value_heads": 8,
             "vocab_size": 151936, "intermediate_size": 6144}
            """
        try Data(config.utf8).write(to: folder.appendingPathComponent("config.json"))
        let h200 = Hardware(cpuCores: 16, gpuMemoryBytes: [0: 140 << 30])
        let long = TrainingDefaults.apply(
            to: Self.job(model: folder, hyperparameters: ["cutoff_len": 4096], gpus: [0]), hardware: h200,
            environment: [:])
        #expect(long.hyperparameters["disable_gradient_checkpointing"] == false)
        let short = TrainingDefaults.apply(
            to: Self.job(model: folder, hyperparameters: ["cutoff_len": 256, "per_device_train_batch_size": 4],
                         gpus: [0]),
            hardware: h200, environment: [:])
        #expect(short.hyperparameters["disable_gradient_checkpointing"] == true)
    }

    @Test func theJobsOwnValuesAreKeptAndDecidingTwiceChangesNothing() throws {
        let job = Self.job(model: try Self.smolModel(), hyperparameters: ["disable_gradient_checkpointing": false])
        let once = TrainingDefaults.apply(to: job, hardware: Self.roomy, environment: [:])
        #expect(once.hyperparameters["disable_gradient_checkpointing"] == false)
        #expect(once.choices.first { $0.key == "disable_gradient_checkpointing" }?.reason == "set by the job")
        let twice = TrainingDefaults.apply(to: once, hardware: Self.roomy, environment: [:])
        #expect(twice == once)
        let decided = TrainingDefaults.apply(to: Self.job(model: try Self.smolModel()), hardware: Self.roomy,
                                             environment: [:])
        #expect(TrainingDefaults.apply(to: decided, hardware: Self.roomy, environment: [:]) == decided)
    }

    @Test func oldRecordsWithoutThreadsOrChoicesStillDecode() throws {
        let json = """
            {"id": "iter1-job1", "baseModel": "/m", "method": "sft", "finetuning": "lora", "datasets": ["d"],
             "datasetDirectory": "/d", "template": "qwen", "hyperparameters": {}, "outputDirectory": "/o", "gpus": []}
            """
        let job = try JSONDecoder().decode(TrainingJob.self, from: Data(json.utf8))
        #expect(job.cpuThreads == nil)
        #expect(job.choices.isEmpty)
    }

    @Test func hardwareReadsMeminfoAndNvidiaSmi() {
        #expect(Hardware.availableMemory(meminfo: "MemTotal: 100 kB\nMemAvailable:   2048 kB\n") == Int64(2_097_152))
        #expect(Hardware.parseGPUMemory("0, 143771\n1, 81559\n") == [0: 143_771 << 20, 1: 81_559 << 20])
        #expect(Hardware.detect(environment: ["AUTOTRAINESS_CPUS": "1"]).cpuCores == 1)
    }

    static func cpuJob(_ id: String, threads: Int?) -> TrainingJob {
        TrainingJob(
            id: id, baseModel: URL(fileURLWithPath: "/m"), datasets: ["d"], datasetDirectory: URL(fileURLWithPath: "/d"), template: "qwen", outputDirectory: URL(fileURLWithPath: "/o"),
            cpuThreads: threads)
    }

    @Test func aJobGivenOneCoreRunsItsPythonWithOneThread() async throws {
        guard ProcessInfo.processInfo.environment["AUTOTRAINESS_SKIP_INSTALL_TESTS"] == nil else { return }
        let environment = PythonEnvironment()
        try await environment.ensure(progress: { print("[python environment] \($0)") })
        let backend = LlamaFactoryBackend(environment: environment, provisionsEnvironment: false)
        for threads in [1, 2] {
            var job = Self.cpuJob("t", threads: threads)
            job = backend.prepare(job)
            let lines = LineCollector()
            let outcome = try await ProcessRunner.run(
                ProcessSpec(
                    executable: environment.pythonExecutable.path,
                    arguments: ["-c", "import torch; print('THREADS', torch.get_num_threads())"],
                    environment: backend.launchEnvironment(for: job))
            ) { lines.append($0.text) }
            #expect(outcome.succeeded)
            #expect(lines.lines.contains("THREADS \(threads)"), "\(lines.lines)")
        }
    }
}
