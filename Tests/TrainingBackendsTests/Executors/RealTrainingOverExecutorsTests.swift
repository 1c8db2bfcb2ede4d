import AgentCore
import Foundation
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
        executor: any Executor, work: URL, input: URL? = nil
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
        let backend = LlamaFactoryBackend(environment: environment, provisionsEnvironment: false, executor: executor)
        for try await event in backend.train(job) {
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

import AgentTesting
import Interfaces

/// Parallel candidates through a real Slurm: one `train` call with two candidates becomes two batch jobs that the
/// one-node cluster (2 CPUs) runs at the same time. One batch job per candidate rather than one job array, so that
/// each keeps its own deadline, progress, cancellation and failure report.
extension LlamaFactoryIntegrationTests {
    @Test(.enabled(if: LlamaFactoryIntegrationTests.enabled), .timeLimit(.minutes(10)))
    func twoCandidatesRunAsConcurrentSlurmJobs() async throws {
        try await LocalSlurmCluster.with { cluster in
            let environment = try await LlamaFactoryIntegrationTests.environment()
            let tiny = try await TinyModelFixture.shared.directory(environment: environment)
            let executor = SlurmExecutor(
                options: SlurmOptions(
                    jobDirectory: cluster.directory.appendingPathComponent("jobs").path, pollIntervalSeconds: 0.5,
                    cancelWaitSeconds: 20),
                environment: cluster.environment)
            let run = try InterfaceTestRun(
                backend: LlamaFactoryBackend(environment: environment, provisionsEnvironment: false, executor: executor))
            try FileManager.default.createDirectory(
                at: run.root.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(
                at: run.root.appendingPathComponent("checkpoints/tiny"),
                withDestinationURL: tiny.appendingPathComponent("model"))
            _ = try run.writeSource(
                "toy.jsonl",
                rows: (0..<16).map { ["q": .string("Say the number \($0) twice."), "a": .string("\($0) \($0)")] })
            let built = try await run.call(
                "data",
                #"{"action": "build", "iteration": 1, "dataset": "toy", "sources": ["toy.jsonl"], "format": "alpaca", "#
                    + #""mapping": {"instruction": "{q}", "output": "{a}"}}"#)
            #expect(!built.isError, "\(built.content)")
            _ = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "toy"}"#)
            let trained = try await run.call(
                "train",
                #"{"iteration": 1, "datasets": ["toy"], "startFrom": "tiny", "hyperparameters": {"max_steps": 4, "#
                    + #""per_device_train_batch_size": 4, "cutoff_len": 64, "lora_rank": 8, "save_strategy": "no"}, "#
                    + #""candidates": [{"name": "lr-1e-3", "hyperparameters": {"learning_rate": 0.001}}, "#
                    + #"{"name": "lr-1e-4", "hyperparameters": {"learning_rate": 0.0001}}]}"#)
            #expect(!trained.isError && trained.content.contains("2 of 2 candidates trained"), "\(trained.content)")
            let records = try await run.store.records()
            var started: [String: Date] = [:]
            var finished: [String: Date] = [:]
            for record in records {
                if let start = record.decode(TrainStarted.self) { started[start.job.id] = record.time }
                if let end = record.decode(TrainFinished.self) { finished[end.jobID] = record.time }
            }
            let ids = started.keys.sorted()
            #expect(ids == ["iter1-job1", "iter1-job2"] && Set(finished.keys) == Set(ids))
            if ids.count == 2, let f0 = finished[ids[0]], let f1 = finished[ids[1]] {
                #expect(started[ids[1]]! < f0 && started[ids[0]]! < f1, "the two Slurm jobs overlap")
            }
            let scripts = try FileManager.default.contentsOfDirectory(
                atPath: cluster.directory.appendingPathComponent("jobs").path).filter { $0.hasSuffix(".sbatch") }
            #expect(scripts.count >= 4, "a training and a merge batch script per candidate: \(scripts)")
        }
    }
}
