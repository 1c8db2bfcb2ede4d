import Foundation
import Runtime
import Testing

@testable import TrainingBackends

/// The backend's staging path through `SSHExecutor` and a loopback sshd. The "remote" side sees the experiment
/// folder at another path (a path mapping), so every input must be staged in and the outputs staged back.
///
/// The job is not a real training: the venv's `llamafactory-cli` is a short shell script that reads the config
/// it was given, checks the staged dataset, and writes the files a LoRA run leaves (trainer log, results, adapter).
/// Real LlamaFactory training is covered by `LlamaFactoryIntegrationTests`.
@Suite("LlamaFactory backend over SSH")
struct LlamaFactoryOverSSHTests {
    static let standIn = """
        #!/bin/sh
        set -e
        config="$2"
        value() { sed -n "s/.*\\"$1\\" *: *\\"\\([^\\"]*\\)\\".*/\\1/p" "$config"; }
        out=$(value output_dir)
        echo "running in $(pwd) with $(value model_name_or_path)"
        echo "dataset_info: $(cat "$(value dataset_dir)/dataset_info.json")"
        mkdir -p "$out"
        for step in 1 2; do
          echo "{\\"current_steps\\": $step, \\"total_steps\\": 2, \\"loss\\": 1.$step, \\"lr\\": 0.0001}" \\
            >> "$out/trainer_log.jsonl"
        done
        echo '{"train_loss": 1.25, "epoch": 1.0}' > "$out/all_results.json"
        echo weights > "$out/adapter_model.safetensors"
        """

    @Test func aJobIsStagedInRunRemotelyAndItsOutputsComeBack() async throws {
        try await LoopbackSSHServer.with { server in
            let local = server.directory.appendingPathComponent("experiment")
            let remote = server.directory.appendingPathComponent("gpu-host/experiment")
            let venv = server.directory.appendingPathComponent("venv")
            let fileManager = FileManager.default
            try fileManager.createDirectory(at: venv.appendingPathComponent("bin"), withIntermediateDirectories: true)
            let cli = venv.appendingPathComponent("bin/llamafactory-cli")
            try Self.standIn.write(to: cli, atomically: true, encoding: .utf8)
            try fileManager.setAttributes([.posixPermissions: 0o755], ofItemAtPath: cli.path)
            for folder in ["model", "data"] {
                try fileManager.createDirectory(
                    at: local.appendingPathComponent(folder), withIntermediateDirectories: true)
            }
            try "{\"model_type\": \"qwen2\"}".write(
                to: local.appendingPathComponent("model/config.json"), atomically: true, encoding: .utf8)
            try "{\"d\": {\"file_name\": \"d.json\"}}".write(
                to: local.appendingPathComponent("data/dataset_info.json"), atomically: true, encoding: .utf8)

            let executor = SSHExecutor(
                host: server.host, pathMappings: [PathMapping(local: local.path, remote: remote.path)])
            let backend = LlamaFactoryBackend(
                environment: PythonEnvironment(existingVenv: venv), provisionsEnvironment: false, executor: executor)
            let job = TrainingJob(
                id: "ssh", baseModel: local.appendingPathComponent("model"), datasets: ["d"],
                datasetDirectory: local.appendingPathComponent("data"), template: "qwen",
                outputDirectory: local.appendingPathComponent("out"))

            var logs: [String] = []
            var steps: [Int] = []
            var result: TrainingResult?
            for try await event in backend.train(job) {
                switch event {
                case .log(let line): logs.append(line)
                case .progress(let progress): steps.append(progress.step)
                case .finished(let finished): result = finished
                default: break
                }
            }
            #expect(logs.contains("running in \(remote.path) with \(remote.path)/model"))
            #expect(logs.contains("dataset_info: {\"d\": {\"file_name\": \"d.json\"}}"))
            #expect(steps == [1, 2])
            #expect(result?.metrics["train_loss"] == 1.25)
            #expect(result?.outputDirectory.path == local.appendingPathComponent("out").path)
            #expect(fileManager.fileExists(atPath: local.appendingPathComponent("out/adapter_model.safetensors").path))
            #expect(fileManager.fileExists(atPath: remote.appendingPathComponent("out/all_results.json").path))
        }
    }
}
