import AgentCore
import Foundation
import Runtime
import Testing

@testable import TrainingBackends

@Suite("LlamaFactory backend")
struct LlamaFactoryBackendTests {
    static func backend() -> LlamaFactoryBackend {
        let venv = FileManager.default.temporaryDirectory.appendingPathComponent("no-venv-\(UUID().uuidString)")
        return LlamaFactoryBackend(environment: PythonEnvironment(existingVenv: venv), provisionsEnvironment: false)
    }

    static func job(gpus: [Int] = [], hyperparameters: [String: JSONValue] = [:]) -> TrainingJob {
        TrainingJob(
            id: "j", baseModel: URL(fileURLWithPath: "/models/base"), datasets: ["d"], datasetDirectory: URL(fileURLWithPath: "/data"), template: "qwen",
            hyperparameters: hyperparameters, outputDirectory: URL(fileURLWithPath: "/tmp/out"), gpus: gpus)
    }

    @Test func severalGPUsLaunchThroughTorchrunWithTheVenvFirstOnPath() {
        let backend = Self.backend()
        let base = ["PATH": "/usr/bin", "ANTHROPIC_API_KEY": "sk-ant-secret", "USE_V1": "1"]
        let environment = backend.launchEnvironment(for: Self.job(gpus: [2, 3]), base: base)
        #expect(environment["CUDA_VISIBLE_DEVICES"] == "2,3")
        #expect(environment["FORCE_TORCHRUN"] == "1")
        #expect(environment["NPROC_PER_NODE"] == "2")
        #expect(environment["PATH"]?.hasPrefix(backend.environment.binDirectory.path + ":") == true)
        #expect(environment["ANTHROPIC_API_KEY"] == nil)
        #expect(environment["USE_V1"] == nil)
        #expect(environment["PYTHONUNBUFFERED"] == "1")
    }

    @Test func oneGPUOrCPURunsWithoutTorchrunUnlessDeepSpeedIsAsked() {
        let backend = Self.backend()
        #expect(backend.launchEnvironment(for: Self.job(gpus: [0]), base: [:])["FORCE_TORCHRUN"] == nil)
        #expect(backend.launchEnvironment(for: Self.job(), base: [:])["CUDA_VISIBLE_DEVICES"] == nil)
        let deepspeed = backend.launchEnvironment(
            for: Self.job(gpus: [0], hyperparameters: ["deepspeed": "ds.json"]), base: [:])
        #expect(deepspeed["FORCE_TORCHRUN"] == "1")
        #expect(deepspeed["NPROC_PER_NODE"] == "1")
    }

    /// LlamaFactory copies the driver's environment into every Ray worker: a worker's CPUs set the threads, and
    /// this machine's devices and torchrun settings stay here.
    @Test func rayModeGivesWorkersTheirOwnThreadsAndNoneOfThisMachinesDevices() {
        var job = Self.job(gpus: [2, 3], hyperparameters: ["deepspeed": "ds.json"])
        job.cpuThreads = 16
        let environment = Self.backend().launchEnvironment(
            for: job, ray: RayTraining(workers: 4, cpusPerWorker: 3), base: ["CUDA_VISIBLE_DEVICES": "0"])
        #expect(environment["USE_RAY"] == "1" && environment["AUTOTRAINESS_RAY_CPUS_PER_WORKER"] == "3.0")
        #expect(environment["OMP_NUM_THREADS"] == "3" && environment["MKL_NUM_THREADS"] == "3")
        for name in ["CUDA_VISIBLE_DEVICES", "FORCE_TORCHRUN", "NPROC_PER_NODE"] { #expect(environment[name] == nil) }
    }

    @Test func configProblemsFailTheStreamBeforeAnythingIsLaunched() async throws {
        let stream = Self.backend().train(Self.job(hyperparameters: ["evaluation_strategy": "steps"]))
        var events: [TrainingEvent] = []
        let failure = await #expect(throws: TrainingFailure.self) {
            for try await event in stream { events.append(event) }
        }
        #expect(failure?.cause == .unknownKey)
        #expect(events.isEmpty)
    }

    @Test func aMissingVenvFailsClearly() async throws {
        var backend = Self.backend()
        backend.provisionsEnvironment = true
        let folder = try Fixtures.temporaryDirectory("backend")
        defer { try? FileManager.default.removeItem(at: folder) }
        var job = Self.job()
        job.outputDirectory = folder.appendingPathComponent("out")
        await #expect(throws: PythonEnvironmentError.self) {
            for try await _ in backend.train(job) {}
        }
    }
}
