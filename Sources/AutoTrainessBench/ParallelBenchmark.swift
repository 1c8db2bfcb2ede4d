import AgentCore
import AutoTrainess
import Foundation
import Runtime
import TrainingBackends

/// `autotrainess-bench parallel`: two small LoRA jobs (the demo's model and task) run one after the other, each
/// with every core, then at the same time, each with an equal share of the cores (as `train candidates=[…]` runs
/// them); the wall time of each way, the ratio, and each job's samples/s.
struct ParallelBenchmark {
    static let usage = "  --steps N   optimizer steps per job (default 12)\n  --rounds N  repetitions, alternating (default 1)"

    var steps = 12
    var rounds = 1

    init(arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchmarkUsageError("\(flag) needs a value") }
            switch flag {
            case "--steps": steps = try TrainingBenchmark.positive(value, flag)
            case "--rounds": rounds = try TrainingBenchmark.positive(value, flag)
            default: throw BenchmarkUsageError("unknown option \(flag)\n\(Self.usage)")
            }
        }
    }

    func run() async throws {
        let python = PythonEnvironment()
        try await python.ensure { print("[environment] \($0)") }
        let root = FileManager.default.temporaryDirectory.appendingPathComponent(
            "autotrainess-bench-parallel-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: root) }
        var template = try TrainingBenchmark(arguments: ["--steps", String(steps), "--methods", "lora"])
        template.work = root
        let demo = DemoRun(settings: .standard, runsDirectory: root, launcher: RunLauncher(progress: { print($0) }))
        let model = try await demo.provisionModel()
        let data = root.appendingPathComponent("data", isDirectory: true)
        try FileManager.default.createDirectory(at: data, withIntermediateDirectories: true)
        try DemoBenchmark(settings: .standard).generate().writeTraining(to: data.appendingPathComponent("train.json"))
        try Data(#"{"bench": {"file_name": "train.json"}}"#.utf8).write(to: data.appendingPathComponent("dataset_info.json"))
        let cores = Hardware.detect().cpuCores
        print("Parallel benchmark: two LoRA jobs of \(DemoModel.smolLM2.summary), \(steps) steps each, \(cores) cores.")
        let backend = LlamaFactoryBackend(environment: python, provisionsEnvironment: false)

        func job(_ name: String, threads: Int) -> TrainingJob {
            var job = template.job(.lora, model: model, data: data, root: root, round: 0)
            job.id = name
            job.outputDirectory = root.appendingPathComponent(name, isDirectory: true)
            job.cpuThreads = threads
            return job
        }
        func train(_ job: TrainingJob) async throws -> Double { try await backendTrain(backend, job) }
        var sequential: [Double] = []
        var parallel: [Double] = []
        for round in 1...rounds {
            var started = Date()
            let a = try await train(job("seq-a-\(round)", threads: cores))
            let b = try await train(job("seq-b-\(round)", threads: cores))
            sequential.append(Date().timeIntervalSince(started))
            print(String(format: "round %d, in sequence: %.1f s (samples/s %.2f, %.2f)", round, sequential.last!, a, b))
            let (jobA, jobB) = (
                job("par-a-\(round)", threads: MachineCores.share(0, among: 2, capacity: cores)),
                job("par-b-\(round)", threads: MachineCores.share(1, among: 2, capacity: cores))
            )
            started = Date()
            async let first = backendTrain(backend, jobA)
            async let second = backendTrain(backend, jobB)
            let (c, d) = try await (first, second)
            parallel.append(Date().timeIntervalSince(started))
            print(String(format: "round %d, in parallel: %.1f s (samples/s %.2f, %.2f)", round, parallel.last!, c, d))
        }
        let (s, p) = (sequential.reduce(0, +) / Double(rounds), parallel.reduce(0, +) / Double(rounds))
        print(String(format: "Two jobs: %.1f s in sequence, %.1f s in parallel: parallel/sequence = %.2f", s, p, p / s))
    }
}

/// Trains `job` to its end; the trainer's samples/s.
private func backendTrain(_ backend: LlamaFactoryBackend, _ job: TrainingJob) async throws -> Double {
    for try await event in backend.train(backend.prepare(job)) {
        if case .finished(let result) = event { return result.metrics["train_samples_per_second"] ?? 0 }
    }
    throw BenchmarkUsageError("\(job.id): the backend ended without a result")
}
