import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Testing

import AutoTrainess

/// Rejection sampling for real: the demo's model (SmolLM2-135M-Instruct) answers arithmetic prompts on the CPU,
/// sampled k times each, and a numeric verifier keeps only the correct answers. Part of the serialized demo suite.
extension DemoCommandTests {
    @Test(.timeLimit(.minutes(10)))
    func sampledAnswersOfASmallModelAreKeptOnlyWhenTheVerifierAcceptsThem() async throws {
        let lines = LineCollector()
        let launcher = RunLauncher(progress: { lines.append($0) })
        try await launcher.python.ensure(progress: { lines.append($0) })
        let directory = try TemporaryDirectory()
        let model = try await DemoRun(settings: .quick, runsDirectory: directory.path("runs"), launcher: launcher)
            .provisionModel()
        let run = try InterfaceTestRun()
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
        print("DemoCommandTests (rejection sampling): \(output.content)")
    }
}

import Evaluation
enum AnswerMatchingForTests {
    static func finalNumber(_ text: String) -> Double? { AnswerMatching.finalNumber(in: text) }
}
