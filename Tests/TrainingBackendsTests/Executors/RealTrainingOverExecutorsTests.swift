import AgentCore
import Foundation
import TestClusters
import Runtime
import Testing

@testable import TrainingBackends

/// The real training command (the managed venv's `llamafactory-cli`, a LoRA job of the tiny Qwen2 model, then the
/// merge) through each remote executor: a real single-node Slurm and a loopback sshd with a path mapping (so the
/// inputs are staged in and the outputs back). Progress comes from the trainer's log as it is written remotely.
/// (Real training: part of the serialized LlamaFactory integration suite, so that these jobs never overlap.)
enum RealTrainingOverExecutorsTests {
    static let enabled = LlamaFactoryIntegrationTests.enabled

    /// Trains with `executor`; the steps seen, the result and the merged model folder.
    static func train(
        executor: any Executor, work: URL, input: URL? = nil, rayTraining: RayTraining? = nil,
        onLog: @Sendable (String) -> Void = { _ in }
    ) async throws -> (steps: [Int], result: TrainingResult?, merged: URL) {
        let environment = try await LlamaFactoryIntegrationTests.environment()
        let model = try await TinyModelFixture.shared.directory(environment: environment)
        var source = model
        if let input {
            // Under the mapped folder, so that the job has to be staged.
            try? FileManager.default.removeItem(at: input)
            try FileManager.default.copyItem(at: model, to: input)
            source = input
        }
        let merged = work.appendingPathComponent("merged_model")
        let job = LlamaFactoryIntegrationTests.job(
            model: source, output: work.appendingPathComponent("output"), steps: 4, merged: merged)
        var steps: [Int] = []
        var result: TrainingResult?
        let backend = LlamaFactoryBackend(
            environment: environment, provisionsEnvironment: false, executor: executor, rayTraining: rayTraining)
        for try await event in backend.train(job) {
            if case .log(let line) = event { onLog(line) }
            if case .progress(let progress) = event { steps.append(progress.step) }
            if case .finished(let finished) = event { result = finished }
        }
        return (steps, result, merged)
    }
}

extension LlamaFactoryIntegrationTests {
    @Test(.enabled(if: Self.enabled), .timeLimit(.minutes(10)))
    func aTinyLoRAJobTrainsThroughSlurm() async throws {
        try await LocalSlurmCluster.with { cluster in
            let work = cluster.directory.appendingPathComponent("work")
            try FileManager.default.createDirectory(at: work, withIntermediateDirectories: true)
            let executor = SlurmExecutor(
                options: SlurmOptions(
                    jobDirectory: cluster.directory.appendingPathComponent("jobs").path, pollIntervalSeconds: 0.5,
                    cancelWaitSeconds: 20),
                environment: cluster.environment)
            let (steps, result, merged) = try await RealTrainingOverExecutorsTests.train(executor: executor, work: work)
            #expect(steps.last == 4, "progress from the trainer's log: \(steps)")
            #expect(result?.metrics["train_loss"] != nil)
            #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("config.json").path))
            #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("model.safetensors").path))
        }
    }

    @Test(.enabled(if: Self.enabled), .timeLimit(.minutes(10)))
    func aTinyLoRAJobTrainsOverSSHWithItsFilesStaged() async throws {
        try await LoopbackSSHServer.with { server in
            let local = server.directory.appendingPathComponent("experiment")
            let remote = server.directory.appendingPathComponent("gpu-host/experiment")
            try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
            let executor = SSHExecutor(
                host: server.host, pathMappings: [PathMapping(local: local.path, remote: remote.path)])
            let (steps, result, merged) = try await RealTrainingOverExecutorsTests.train(
                executor: executor, work: local, input: local.appendingPathComponent("tiny"))
            #expect(steps.last == 4, "progress from the trainer's log: \(steps)")
            #expect(result?.metrics["train_loss"] != nil)
            // Trained and merged on the "remote" side, brought back here.
            #expect(FileManager.default.fileExists(atPath: remote.appendingPathComponent("output/all_results.json").path))
            #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("model.safetensors").path))
        }
    }
}
