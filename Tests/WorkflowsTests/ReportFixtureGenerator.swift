import AgentCore
import AgentTesting
import Evaluation
import Foundation
import Interfaces
import Testing
import TrainingBackends

@testable import Workflows

/// Writes the multi-iteration run folder the report tests render (`Tests/ReportingTests/Fixtures/run-iterations`):
/// the real workflow, tools and registry with stand-in training and evaluation, through three iterations with a
/// denial, a failed training job, a promotion, a discard and a second promotion. Run it to regenerate the fixture:
/// `AUTOTRAINESS_WRITE_REPORT_FIXTURE=1 swift test --filter ReportFixtureGenerator`.
@Suite struct ReportFixtureGenerator {
    typealias Script = WorkflowRunnerTests.Script

    @Test(.enabled(if: ProcessInfo.processInfo.environment["AUTOTRAINESS_WRITE_REPORT_FIXTURE"] != nil))
    func writeTheMultiIterationRunFixture() async throws {
        let fixture = try WorkflowRunnerTests.Fixture()
        let backend = FakeTrainingBackend(output: .loadableModel) { job in
            job.hyperparameters["quality"]?.stringValue == "broken"
                ? .init(steps: 2, crash: "CUDA out of memory. Tried to allocate 2.00 GiB")
                : .init(steps: 4, metrics: ["train_loss": 0.5], wallSeconds: 240)
        }
        let markers = ["base weights": 12, "plain": 13, "good": 40, "great": 55]
        let evaluator = ScoringEvaluator(
            benchmark: "toy", size: 60, reportsStandardError: true, durationSeconds: 120
        ) { target, index in
            let right = markers[try modelMarker(URL(fileURLWithPath: target.modelPath))] ?? 0
            return SampleRecord(
                id: "s\(index)", input: "What is the answer to question \(index)?", target: "a\(index)",
                output: index < right ? "a\(index)" : "I am not sure", score: index < right ? 1 : 0)
        }
        let turns: [ScriptedModelProvider.Turn] =
            Script.stage0And1 + Script.iteration1Start + Script.data(1, fixture.source)
            + [
                Script.train(1, quality: "broken"),
                Script.train(1, quality: "good"),
                Script.call("eval", #"{"iteration": 1, "model": "iter1-job2", "label": "iter1"}"#),
                Script.log(1, stage: "local", decision: "keep"), Script.plan(2),
            ]
            + Script.data(2, fixture.source)
            + [
                Script.train(2, quality: "plain", from: "iter1-job2"), Script.eval(2),
                Script.log(2, stage: "local", decision: "discard"), .text("Local iterations stalled."), Script.plan(3),
            ]
            + Script.data(3, fixture.source)
            + [
                Script.train(3, quality: "great", from: "iter1-job2"), Script.eval(3),
                Script.log(3, stage: "exploration", decision: "keep"), .text("Done."),
            ]
        let parts = try fixture.parts(evaluator: evaluator, backend: backend)
        let runner = WorkflowRunner(
            workflow: parts.workflow, provider: ScriptedModelProvider(turns: turns), model: "scripted", tools: parts.tools, store: parts.store,
            registry: parts.registry, budget: parts.budget, secrets: [])
        let store = parts.store
        let outcome = try await runner.run(task: "Improve toy QA accuracy.")
        #expect(outcome.ending == .finished && outcome.best == "iter3-job1")
        let records = try await store.records()
        #expect(!records.all(CallDenied.self).isEmpty && !records.all(TrainFailed.self).isEmpty)
        #expect(records.all(CandidateEvaluated.self).map(\.promoted) == [true, false, true])

        // Copied without the stand-in weights; the temporary folder's path becomes a placeholder. The records were
        // written within a second: their times are spread as a real run's would be (45 s per model turn, a job's
        // or an evaluation's own duration when it ends, a minute for a failed job).
        var time = try #require(records.first?.time)
        let timed = records.map { record in
            var record = record
            time += 0.01
            if record.kind == "agent.turn_started" { time += 45 }
            if let finished = record.decode(TrainFinished.self) { time += finished.wallSeconds }
            if record.decode(TrainFailed.self) != nil { time += 60 }
            if let report = record.decode(EvalReported.self) { time += report.durationSeconds }
            record.time = time
            return record
        }
        let events = try timed.map { String(decoding: try RecordCoding.encoder.encode($0), as: UTF8.self) }
        let destination = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
            .appendingPathComponent("ReportingTests/Fixtures/run-iterations")
        try? FileManager.default.removeItem(at: destination)
        let source = fixture.runRoot
        let files = FileManager.default.enumerator(at: source, includingPropertiesForKeys: nil)!
        for case let file as URL in files where !file.hasDirectoryPath {
            let relative = String(file.path.dropFirst(source.path.count + 1))
            guard relative.hasSuffix(".json") || relative.hasSuffix(".jsonl") || relative.hasSuffix(".md") else {
                continue
            }
            let text = try (relative == "events.jsonl" ? events.joined(separator: "\n") + "\n" : String(contentsOf: file, encoding: .utf8))
                .replacingOccurrences(of: fixture.directory.url.path, with: "@TMP@")
            let target = destination.appendingPathComponent(relative)
            try FileManager.default.createDirectory(
                at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            try Data(text.utf8).write(to: target)
        }
    }
}
