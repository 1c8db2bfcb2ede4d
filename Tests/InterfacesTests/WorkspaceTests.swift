import AgentCore
import Foundation
import Interfaces
import Testing

@Suite("Workspace and run state")
struct WorkspaceTests {
    private func temporaryFolder() -> URL {
        FileManager.default.temporaryDirectory.appendingPathComponent("ws-\(UUID().uuidString)", isDirectory: true)
    }

    private let task = TaskProfile(name: "toy", baseModel: "/models/base", template: "qwen", benchmark: "toy")

    @Test("create lays out the run folder and is idempotent")
    func createIdempotent() throws {
        let root = temporaryFolder()
        let manifest = RunManifest(
            runID: "r1", task: task, config: ["provider": "anthropic"], versions: ["llamafactory": "0.9.5"],
            budget: RunBudget(totalSeconds: 36000, reserveSeconds: 1800))
        let (workspace, written) = try Workspace.create(at: root, manifest: manifest)
        for url in [
            workspace.runFile, workspace.eventsFile, workspace.experimentLogFile, workspace.checkpointsDirectory,
        ] {
            #expect(FileManager.default.fileExists(atPath: url.path), "\(url.path)")
        }
        try Data("keep me\n".utf8).write(to: workspace.experimentLogFile)
        var other = manifest
        other.runID = "r2"
        let (_, again) = try Workspace.create(at: root, manifest: other)
        #expect(again == written)
        #expect(again.runID == "r1")
        #expect(try String(contentsOf: workspace.experimentLogFile, encoding: .utf8) == "keep me\n")
        let paths = try workspace.prepareIteration(2)
        #expect(paths.root.path.hasSuffix("iterations/2"))
        #expect(FileManager.default.fileExists(atPath: paths.eval.path))
        #expect(paths.datasetInfo.lastPathComponent == "dataset_info.json")
        #expect(workspace.finalModelDirectory.lastPathComponent == "final_model")
        #expect(workspace.relativePath(of: workspace.checkpointRegistryFile) == "checkpoints/registry.json")
    }

    @Test("open rejects a folder without run.json")
    func openRejects() throws {
        let root = temporaryFolder()
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        #expect(throws: WorkspaceError.notARun(path: root.standardizedFileURL.path)) { try Workspace.open(root) }
    }

    @Test("the path jail rejects '..', absolute paths elsewhere and symbolic links that lead out")
    func pathJail() throws {
        let root = temporaryFolder()
        try FileManager.default.createDirectory(at: root, withIntermediateDirectories: true)
        let outside = temporaryFolder()
        try FileManager.default.createDirectory(at: outside, withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(at: root.appendingPathComponent("out"), withDestinationURL: outside)
        try FileManager.default.createSymbolicLink(
            at: root.appendingPathComponent("inside"), withDestinationURL: root.appendingPathComponent("data"))
        let jail = PathJail(root: root, readOnlyRoots: [outside])
        #expect(try jail.resolve("a/b.txt").path == jail.root.appendingPathComponent("a/b.txt").path)
        #expect(try jail.resolve("inside/x").path == jail.root.appendingPathComponent("data/x").path)
        #expect(try jail.resolve(jail.root.appendingPathComponent("c").path).lastPathComponent == "c")
        for path in ["..", "a/../../b", "/etc/passwd", "out/file"] {
            #expect(throws: WorkspaceError.self, "\(path)") { try jail.resolve(path) }
        }
        try Data("x".utf8).write(to: outside.appendingPathComponent("file"))
        #expect(try jail.resolveForReading("out/file").path.hasPrefix(jail.readOnlyRoots[0].path))
        #expect(try jail.resolveForReading("file").path == jail.readOnlyRoots[0].appendingPathComponent("file").path)
        #expect(throws: WorkspaceError.notFound(path: "none", searched: [jail.root, jail.readOnlyRoots[0]])) {
            try jail.resolveForReading("none")
        }
    }

    @Test("RunState.rebuild folds stage, usage, time, checkpoints, evaluations and iterations")
    func rebuild() throws {
        let start = Date(timeIntervalSince1970: 1_000_000)
        let record = IterationRecord(
            iteration: 1, stage: "local", hypothesis: "format rows help", data: ["sums"], config: [:],
            scores: [
                ScoreRecord(
                    label: "c1", metric: "accuracy", value: 0.4, stderr: 0.05, sampleCount: 100, comparable: true)
            ],
            decision: .keep, failures: ["first job ran out of memory"], nextStep: "harder problems")
        func at(_ seconds: Double, _ record: some RunRecord) throws -> ExperimentRecord {
            try ExperimentRecord(record, time: start.addingTimeInterval(seconds))
        }
        let root = URL(fileURLWithPath: "/runs/r1")
        let records: [ExperimentRecord] = [
            try at(0, RunSessionStarted(activeSecondsBefore: 0)),
            try at(0, StageEntered(stage: "baseline")),
            try at(0, ModelUsed(inputTokens: 1000, outputTokens: 200, cachedInputTokens: 0, costUSD: 0.01)),
            try at(0, StageEntered(stage: "local")),
            try at(0, PlanWritten(iteration: 2, path: "iterations/2/plan.md", hypothesis: "h")),
            try at(
                0, TrainFinished(iteration: 1, jobID: "c1", modelDirectory: "checkpoints/c1", wallSeconds: 120, metrics: [:])),
            try at(
                0,
                EvalReported(
                    iteration: 1, label: "c1", metric: "accuracy", score: 0.4, stderr: nil, sampleCount: 100,
                    comparable: true, modelPath: "checkpoints/c1", reportPath: "iterations/1/eval/c1.json",
                    durationSeconds: 30)),
            try at(
                0,
                CheckpointRegistered(
                    id: "c1", modelPath: "checkpoints/c1", parent: "base", datasets: nil, configHash: nil, iteration: 1)),
            try at(0, record),
            try at(600, ModelUsed(inputTokens: 500, outputTokens: 100, cachedInputTokens: 400, costUSD: 0)),
            ExperimentRecord(time: start, kind: "something.else", payload: [:]),
        ]
        let state = RunState.rebuild(from: records, runDirectory: root)
        #expect(state.recordCount == 11)
        #expect(state.iteration == 2)
        #expect(state.lastLoggedIteration == 1)
        #expect(state.stage == "local")
        #expect(state.budget.tokens == 1800)
        #expect(abs(state.budget.usd - 0.01) < 1e-12)
        #expect(state.budget.trainingSeconds == 120)
        #expect(state.budget.evaluationSeconds == 30)
        #expect(state.budget.elapsedSeconds == 600)
        #expect(
            state.checkpoints == [
                CheckpointSummary(
                    id: "c1", modelPath: "checkpoints/c1", iteration: 1, registered: true, evaluation: "c1", score: 0.4)
            ])
        #expect(state.progress.trainedModels["c1"] == "/runs/r1/checkpoints/c1")
        #expect(state.lastDecision == .keep)
        #expect(
            state.history == [
                "iteration 1 (local): format rows help -> keep; c1 0.400; 1 failure(s); next: harder problems"
            ])
        #expect(state.summary.contains("- iteration 2, last logged 1; stage: local"))
        #expect(state.summary.contains("10m00s wall (training 2m00s, evaluation 30s), 1800 tokens, $0.01"))

        // A resumed session counts from its own start: the hour between the kill and the resume is not spent.
        var resumed = records
        resumed.append(try at(4200, RunSessionStarted(activeSecondsBefore: 600)))
        resumed.append(try at(4500, StageEntered(stage: "local")))
        #expect(RunState.rebuild(from: resumed, runDirectory: root).budget.elapsedSeconds == 900)
        #expect(RunState.rebuild(from: [], runDirectory: root) == RunState(workspace: Workspace(root: root)))
    }
}
