import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Runtime
import Testing
import TrainingBackends
import AutoTrainess

/// A run folder written by 0.1.0 (a real `autotrainess demo --quick` run: its events.jsonl, registry.json, run.json,
/// integrity.json, reports and data, with the machine's paths replaced by placeholders) still opens, shows its state
/// and resumes to the same decision.
@Suite struct RunFolder010Tests {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/run-0.1.0")

    /// Copies the fixture into `directory`: the run under `run/`, its task data under `task/`, small stand-ins for
    /// the base model, the trained checkpoint and `final_model/` (the real ones are 270 MB).
    static func install(in directory: TemporaryDirectory) throws -> Workspace {
        let run = directory.path("run")
        let task = directory.path("task")
        let base = try directory.makeModel("base", marker: "base")
        let replacements = [
            "@RUN@": run.path, "@TASK@": task.path, "@BASE@": base.path, "@SRC@": "/src", "@VENV@": "/venv",
            "@TASKREL@": String(task.path.dropFirst()).replacingOccurrences(of: "/", with: "\\/"),
        ]
        let manager = FileManager.default
        let files = manager.enumerator(at: fixture, includingPropertiesForKeys: nil)!.compactMap { $0 as? URL }
        for file in files where !file.hasDirectoryPath {
            let relative = String(file.standardizedFileURL.path.dropFirst(fixture.standardizedFileURL.path.count + 1))
            let target = relative.hasPrefix("task/")
                ? task.appendingPathComponent(String(relative.dropFirst(5))) : run.appendingPathComponent(relative)
            var text = try String(contentsOf: file, encoding: .utf8)
            for (placeholder, value) in replacements { text = text.replacingOccurrences(of: placeholder, with: value) }
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: target)
        }
        try directory.makeModel("run/checkpoints/iter1-job1", marker: "trained")
        try directory.makeModel("run/final_model", marker: "trained")
        return try Workspace.open(run)
    }

    @Test func aZeroOneZeroRunFolderFoldsIntoTheSameState() throws {
        let directory = try TemporaryDirectory()
        let workspace = try Self.install(in: directory)
        let contents = try JSONLExperimentStore.read(fileURL: workspace.eventsFile)
        #expect(contents.damage.isEmpty)
        #expect(contents.records.count == 107)
        // Every record 0.1.0 wrote is of a kind this version knows, and decodes as its type.
        let types = Dictionary(uniqueKeysWithValues: RunRecords.types.map { ($0.kind, $0) })
        for record in contents.records {
            let type = try #require(types[record.kind], "unknown kind \(record.kind)")
            #expect(throws: Never.self, "\(record.kind) #\(record.sequence)") {
                _ = try record.payload.decode(as: type)
            }
        }
        let state = RunState.rebuild(from: contents.records, runDirectory: workspace.root)
        #expect(state.stopReason == "finished")
        #expect(state.stage == "local" && state.iteration == 1 && state.lastLoggedIteration == 1)
        #expect(state.lastDecision == .keep)
        #expect(state.evaluations == ["baseline": 0, "iter1": 0.4])
        #expect(state.checkpoints.map(\.id) == ["iter1-job1"] && state.checkpoints[0].registered)
        #expect(state.checkpoints[0].score == 0.4)
        #expect(state.progress.promotions == 1 && state.progress.baselineScore == 0)
        #expect(state.lastPromotionReason?.hasPrefix("Promoted: 'iter1-job1'") == true)
        // A 0.1.0 approval names no file or hash: it is the data tool's file of that iteration.
        let approval = try #require(state.approvals[1]?["number_words"])
        #expect(approval.file == workspace.iteration(1).data.appendingPathComponent("number_words.json").path)
        #expect(approval.contentHash == nil && approval.refusal() == nil)
        #expect(state.jobs["iter1-job1"]?.datasetSamples == [:])
        #expect(state.budget.trainingSeconds > 80 && state.budget.evaluationSeconds > 30)
        #expect(state.summary.contains("iter1-job1 (registered): 0.400"))
    }

    @Test func aZeroOneZeroRunFolderResumesToTheSameDecision() async throws {
        let directory = try TemporaryDirectory()
        let workspace = try Self.install(in: directory)
        let lines = LineCollector()
        let launcher = RunLauncher(progress: { lines.append($0) })
        let outcome = try await launcher.run(workspace)
        #expect(outcome.ending == .finished, "\(lines.lines.joined(separator: "\n"))")
        #expect(outcome.best == "iter1-job1")
        #expect(outcome.finalModelValid)
        #expect(try modelMarker(workspace.finalModelDirectory) == "trained")
        let records = try await workspace.openStore().records()
        #expect(records.all(TamperingFound.self).isEmpty, "\(records.all(TamperingFound.self))")
        #expect(records.all(RunStopped.self).map(\.reason) == ["finished", "finished"])
        // No stage ran again: the resume took the recorded exit and stopped.
        #expect(records.all(SessionStarted.self).count == 3)
    }
}
