import AgentCore
import AgentTesting
import Evaluation
import Foundation
import Interfaces
import Runtime
import Testing
import TrainingBackends

import AutoTrainess

/// Rejection sampling for real: the demo's model (SmolLM2-135M-Instruct) answers arithmetic prompts on the CPU,
/// sampled k times each, and a numeric verifier keeps only the correct answers; the kept rows train the model with
/// LlamaFactory (LoRA) and the trained model is evaluated against the untrained one on other sums. Part of the
/// serialized demo suite.
extension DemoCommandTests {
    @Test(.timeLimit(.minutes(20)))
    func sampledAnswersOfASmallModelAreKeptOnlyWhenTheVerifierAcceptsThem() async throws {
        let lines = LineCollector()
        let launcher = RunLauncher(progress: { lines.append($0) })
        try await launcher.python.ensure(progress: { lines.append($0) })
        let directory = try TemporaryDirectory()
        let model = try await DemoRun(settings: .quick, runsDirectory: directory.path("runs"), launcher: launcher)
            .provisionModel()
        let settings = DemoSettings.quick
        // Twenty sums none of the prompts asks, scored by their final number.
        let benchmark = LocalBenchmark(
            name: "sums",
            items: (0..<20).map { index in
                let (a, b) = (11 + index, 20 + index * 3 % 17)
                return BenchmarkItem(
                    id: "s\(index)", prompt: "What is \(a) + \(b)? Reply with the number only.", target: "\(a + b)",
                    scorer: .numeric)
            })
        let run = try InterfaceTestRun(
            backend: LlamaFactoryBackend(environment: launcher.python, hardware: Hardware.detect()),
            template: DemoModel.smolLM2.llamaFactoryTemplate,
            evaluator: LocalBenchmarkEvaluator(
                benchmark: benchmark, workDirectory: directory.path("eval"), maxNewTokens: 16,
                batchSize: settings.evaluationBatchSize, environment: launcher.python))
        try FileManager.default.createDirectory(
            at: run.root.appendingPathComponent("checkpoints"), withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(
            at: run.root.appendingPathComponent("checkpoints/smollm2"), withDestinationURL: model)
        _ = try run.writeSource(
            "arithmetic.jsonl",
            rows: (1...40).map { index in
                let (a, b) = (index % 9 + 1, index % 7 + 2)
                return ["question": .string("What is \(a) + \(b)? Reply with the number only."), "answer": .string("\(a + b)")]
            })
        let output = try await run.call(
            "data",
            #"{"action": "generate", "mode": "sample", "model": "smollm2", "iteration": 1, "dataset": "sampled", "#
                + #""sources": ["arithmetic.jsonl"], "samples": 4, "temperature": 0.7, "verifier": "numeric", "#
                + #""maxNewTokens": 16, "mapping": {"instruction": "{question}", "output": "{answer}"}}"#)
        #expect(!output.isError, "\(output.content)")
        let file = run.root.appendingPathComponent("iterations/1/data/sampled.json")
        let manifest = try #require(DatasetManifest.load(for: file), "\(output.content)")
        let parameters = try #require(manifest.operations.first?.parameters)
        let accepted = parameters["acceptedSamples"]?.intValue ?? -1
        #expect(parameters["totalSamples"]?.intValue == 160)
        #expect(accepted > 0 && accepted < 160, "a small model gets some but not all right: \(accepted)/160")
        // Every kept answer holds the right number.
        for row in try DatasetBuilder.readRows(file) {
            let prompt = row["instruction"]?.stringValue ?? ""
            let numbers = prompt.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
            let answer = AnswerMatchingForTests.finalNumber(row["output"]?.stringValue ?? "")
            #expect(answer == Double(numbers[0] + numbers[1]), "\(row)")
        }

        // The kept rows train the model (LoRA, the quick demo's settings), and both models are evaluated.
        let validated = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "sampled"}"#)
        #expect(validated.content.contains("sampled: approve"), "\(validated.content)")
        var hyperparameters = DemoRun(settings: settings, runsDirectory: directory.path("runs"), launcher: launcher)
            .hyperparameters
        hyperparameters["max_steps"] = 12
        let train = try await run.call(
            "train",
            JSONValue.object([
                "iteration": 1, "datasets": ["sampled"], "startFrom": "smollm2",
                "hyperparameters": .object(hyperparameters),
            ]).compactText)
        #expect(!train.isError, "\(train.content)")
        let before = try await run.call("eval", #"{"iteration": 1, "model": "smollm2", "label": "before"}"#)
        let after = try await run.call("eval", #"{"iteration": 1, "model": "iter1-job1", "label": "after"}"#)
        #expect(!before.isError && !after.isError, "\(before.content)\n\(after.content)")
        let reports = try await run.store.records().all(EvalReported.self)
        #expect(reports.map(\.label) == ["before", "after"] && reports.allSatisfy { $0.sampleCount == 20 }, "\(reports)")
        print("DemoCommandTests (rejection sampling): \(output.content)\n  trained: \(train.content.prefix(200))\n  "
            + "sums before \(reports.first?.score ?? -1), after \(reports.last?.score ?? -1)")
    }
}

import Evaluation
enum AnswerMatchingForTests {
    static func finalNumber(_ text: String) -> Double? { AnswerMatching.finalNumber(in: text) }
}
