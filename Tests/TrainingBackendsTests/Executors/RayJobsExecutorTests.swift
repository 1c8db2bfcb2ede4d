import AgentCore
import Foundation
import Runtime
import Testing

@testable import TrainingBackends

/// `RayJobsExecutor` against a real local Ray head (`LocalRayCluster`: `ray start --head --num-cpus 2 --num-gpus 0`):
/// part of the serialized LlamaFactory integration suite, so that its training never overlaps another.
extension LlamaFactoryIntegrationTests {
    @Test(.enabled(if: LlamaFactoryIntegrationTests.enabled), .timeLimit(.minutes(10)))
    func aTinyLoRAJobTrainsThroughRayAndItsMergedModelLoads() async throws {
        try await LocalRayCluster.with { cluster in
            let work = try Fixtures.temporaryDirectory("ray-lora")
            defer { try? FileManager.default.removeItem(at: work) }
            let executor = RayJobsExecutor(address: cluster.address, cpus: 1)
            let (steps, result, merged) = try await RealTrainingOverExecutorsTests.train(executor: executor, work: work)
            #expect(steps.last == 4, "progress from the trainer's log, streamed from Ray: \(steps)")
            #expect(result?.metrics["train_loss"] != nil)
            #expect(try await cluster.jobs().filter { $0.status == "SUCCEEDED" }.count == 2, "the training and the merge")
            // The merged model loads with transformers.
            let environment = try await LlamaFactoryIntegrationTests.environment()
            let load = try await ProcessRunner.run(
                ProcessSpec(
                    executable: environment.pythonExecutable.path,
                    arguments: [
                        "-c", "import sys; from transformers import AutoModelForCausalLM as M; "
                            + "m = M.from_pretrained(sys.argv[1]); print('loaded', m.num_parameters())",
                        merged.path,
                    ], environment: environment.processEnvironment()))
            #expect(load.succeeded && load.outputTail.contains { $0.hasPrefix("loaded ") }, "\(load.outputTail.suffix(5))")
        }
    }

    /// LlamaFactory's own Ray mode: the Ray job's driver (`ray_train.py`, `USE_RAY=1`, `ray_num_workers: 2`) starts
    /// two worker actors on the head's 2 CPUs (run by the managed venv's Python), which train the tiny model as one
    /// distributed job; rank 0 writes the output folder as a plain run does, and the merged model loads.
    @Test(.enabled(if: LlamaFactoryIntegrationTests.enabled), .timeLimit(.minutes(10)))
    func llamaFactorysOwnRayModeTrainsWithTwoWorkerActors() async throws {
        try await LocalRayCluster.with { cluster in
            let work = try Fixtures.temporaryDirectory("ray-train-mode")
            defer { try? FileManager.default.removeItem(at: work) }
            let environment = try await LlamaFactoryIntegrationTests.environment()
            let executor = RayJobsExecutor(address: cluster.address, pythonExecutable: environment.pythonExecutable.path)
            let lines = LineCollector()
            let (steps, result, merged) = try await RealTrainingOverExecutorsTests.train(
                executor: executor, work: work, rayTraining: RayTraining(workers: 2), onLog: { lines.append($0) })
            let log = lines.lines.joined(separator: "\n")
            #expect(log.contains("Using ray.remote mode with 2 workers"), "\(log.suffix(3000))")
            #expect(lines.lines.contains { $0.hasPrefix("(Worker pid=") }, "worker lines, colour codes removed")
            #expect(steps.last == 4, "progress from rank 0's trainer log: \(steps)")
            #expect(result?.metrics["train_loss"] != nil, "\(log.suffix(3000))")
            #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("model.safetensors").path))
            let config = try String(
                contentsOf: work.appendingPathComponent("output_train_config.yaml"), encoding: .utf8)
            #expect(config.contains("ray_num_workers"))
        }
    }

    @Test(.timeLimit(.minutes(10)))
    func aCancelledJobIsStoppedInRayAndAJobNoNodeCanTakeFailsAtOnce() async throws {
        try await LocalRayCluster.with { cluster in
            let executor = RayJobsExecutor(address: cluster.address, cpus: 1, pollInterval: .milliseconds(200))
            let lines = LineCollector()
            let spec = ProcessSpec(
                executable: "sh", arguments: ["-c", "echo started; sleep 120; echo never"],
                environment: ["PATH": "/usr/bin:/bin"])
            let running = Task { try await executor.run(spec) { lines.append($0.text) } }
            // Ray sets up the job's runtime environment first: on a loaded machine that takes a while.
            for _ in 0..<720 where !lines.lines.contains("started") { try await Task.sleep(for: .milliseconds(250)) }
            let jobsWhileWaiting = try await cluster.jobs()
            try #require(lines.lines.contains("started"), "the job never started: \(jobsWhileWaiting)")
            running.cancel()
            await #expect(throws: CancellationError.self) { _ = try await running.value }
            var jobs = try await cluster.jobs()
            for _ in 0..<60 where jobs.first?.status != "STOPPED" {
                try await Task.sleep(for: .milliseconds(500))
                jobs = try await cluster.jobs()
            }
            #expect(jobs.count == 1 && jobs.first?.status == "STOPPED", "\(jobs)")
            #expect(!lines.lines.contains("never"))

            // A GPU the cluster lacks: refused before submission, naming what the nodes have.
            let started = Date()
            let gpu = RayJobsExecutor(address: cluster.address, gpus: 1)
            await #expect {
                _ = try await gpu.run(ProcessSpec(executable: "true", environment: [:])) { _ in }
            } throws: { error in
                "\(error)".contains("asked for 1.0 GPU") && "\(error)".contains("1 alive node(s) have 2.0 CPU, 0.0 GPU")
            }
            // With an autoscaler it may wait, but only up to its pending limit; then it is stopped, not left hanging.
            let waiting = RayJobsExecutor(
                address: cluster.address, gpus: 1, pendingLimit: .seconds(3), pollInterval: .milliseconds(200),
                autoscales: true)
            await #expect {
                _ = try await waiting.run(ProcessSpec(executable: "true", environment: [:])) { _ in }
            } throws: { "\($0)".contains("stayed pending") && "\($0)".contains("waiting for resources") }
            #expect(Date().timeIntervalSince(started) < 60)
        }
    }
}

extension LlamaFactoryIntegrationTests {
    /// Shared storage mounted at another path on the nodes (here: a symbolic link to the same folder): the job runs
    /// in, reads from and is told about the nodes' paths.
    @Test(.timeLimit(.minutes(10)))
    func aJobSeesThisMachinesFoldersWhereThePathMappingsSay() async throws {
        try await LocalRayCluster.with { cluster in
            let root = URL(fileURLWithPath: "/tmp/autotrainess-ray-mapping-\(UUID().uuidString.prefix(8))")
            defer { try? FileManager.default.removeItem(at: root) }
            let local = root.appendingPathComponent("here")
            let nodes = root.appendingPathComponent("on-nodes")
            try FileManager.default.createDirectory(at: local, withIntermediateDirectories: true)
            try FileManager.default.createSymbolicLink(at: nodes, withDestinationURL: local)
            try "shared hello\n".write(to: local.appendingPathComponent("hello.txt"), atomically: true, encoding: .utf8)
            let executor = RayJobsExecutor(
                address: cluster.address, cpus: 1, pathMappings: [PathMapping(local: local.path, remote: nodes.path)])
            #expect(executor.location(of: local.appendingPathComponent("x").path) == nodes.appendingPathComponent("x").path)
            let lines = LineCollector()
            let outcome = try await executor.run(
                ProcessSpec(
                    executable: "sh", arguments: ["-c", "cat \(local.path)/hello.txt; pwd; echo \"file=$GREETING\""],
                    environment: ["PATH": "/usr/bin:/bin", "GREETING": local.appendingPathComponent("hello.txt").path],
                    workingDirectory: local)
            ) { lines.append($0.text) }
            #expect(outcome.succeeded, "\(lines.lines)")
            #expect(lines.lines.contains("shared hello"))
            #expect(lines.lines.contains(nodes.path), "the job ran in the nodes' path: \(lines.lines)")
            #expect(lines.lines.contains("file=\(nodes.path)/hello.txt"))
        }
    }
}

/// What the Ray executor does with the Jobs API's answers, without a cluster.
@Suite("Ray Jobs executor: logs")
struct RayJobsLogTests {
    @Test func aLongLogIsReadLessOftenUpToThirtySeconds() {
        let poll = Duration.milliseconds(500)
        #expect(RayJobsExecutor.logReadInterval(bytes: 900_000, poll: poll) == poll)
        #expect(RayJobsExecutor.logReadInterval(bytes: 8 << 20, poll: poll) == .seconds(4))
        #expect(RayJobsExecutor.logReadInterval(bytes: 500 << 20, poll: poll) == .seconds(30))
    }

    @Test func workerLinesLoseTheirColourCodes() {
        #expect(RayJobsExecutor.withoutColours("\u{1B}[36m(Worker pid=41)\u{1B}[0m step 3") == "(Worker pid=41) step 3")
        #expect(RayJobsExecutor.withoutColours("plain [1] line") == "plain [1] line")
    }
}
