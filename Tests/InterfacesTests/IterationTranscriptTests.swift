import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Testing

/// A scripted agent performs one full iteration through the tools, calling them with JSON arguments as a
/// model would; the transcript is written to the run folder and checked.
@Suite("Scripted iteration")
struct IterationTranscriptTests {
    @Test("plan -> data -> train -> eval -> log, with fakes for the backend and the evaluator")
    func oneIteration() async throws {
        let run = try InterfaceTestRun()
        let source = try run.writeMathSource()
        let script: [(tool: String, arguments: String)] = [
            ("read_skill", #"{"name": "plan"}"#),
            ("eval", #"{"iteration": 0, "model": "base", "label": "baseline"}"#),
            ("read_file", #"{"path": "iterations/0/eval/baseline-summary.md", "length": 400}"#),
            (
                "plan",
                #"{"iteration": 1, "weakness": "90% wrong; many outputs give no final answer", "#
                    + #""evidence": ["iterations/0/eval/baseline.json", "item-3"], "#
                    + #""hypothesis": "rows ending in '#### <answer>' teach the answer format", "#
                    + #""changes": ["40 formatted arithmetic rows"], "#
                    + #""successCriterion": "accuracy >= 0.3 on 100 items"}"#
            ),
            ("read_skill", #"{"name": "data", "stage": "construction"}"#),
            (
                "data",
                #"{"action": "build", "iteration": 1, "dataset": "sums", "format": "alpaca", "#
                    + #""sources": ["\#(source)"], "#
                    + #""mapping": {"instruction": "question", "output": "\u0023### {answer}"}}"#
            ),
            ("data", #"{"action": "inspect", "iteration": 1, "dataset": "sums", "count": 1}"#),
            ("data", #"{"action": "validate", "iteration": 1, "dataset": "sums"}"#),
            ("train", #"{"iteration": 1, "datasets": ["sums"], "hyperparameters": {"num_train_epochs": 2}}"#),
            ("eval", #"{"iteration": 1, "model": "iter1-job1", "label": "iter1-job1", "compareWith": "baseline"}"#),
            (
                "log",
                #"{"iteration": 1, "stage": "local", "hypothesis": "answer-format rows fix missing answers", "#
                    + #""data": ["sums"], "config": {"num_train_epochs": 2}, "scores": ["baseline", "iter1-job1"], "#
                    + #""decision": "keep", "nextStep": "add harder multi-step problems"}"#
            ),
        ]
        var transcript: [String] = []
        for (index, step) in script.enumerated() {
            let output = try await run.call(step.tool, step.arguments)
            transcript.append("→ \(step.tool) \(step.arguments)")
            transcript.append("← \(output.isError ? "ERROR " : "")\(output.content)")
            #expect(!output.isError, "step \(index) \(step.tool): \(output.content)")
        }
        let text = transcript.joined(separator: "\n")
        try Data(text.utf8).write(to: run.root.appendingPathComponent("transcript.txt"))

        #expect(text.contains("vs baseline on 100 shared samples: +0.400"))
        #expect(text.contains("Logged iteration 1: keep"))
        let state = RunState.rebuild(from: try await run.store.records(), runDirectory: run.root)
        #expect(state.iteration == 1)
        #expect(state.lastDecision == .keep)
        #expect(state.checkpoints.map(\.id) == ["iter1-job1"])
        #expect(state.checkpoints.first?.score == 0.5)
        #expect(state.evaluations == ["baseline": 0.1, "iter1-job1": 0.5])
        #expect(state.history.count == 1)
        let log = run.text(run.workspace.experimentLogFile)
        #expect(log.contains("## Iteration 1 (local): keep"))
        #expect(log.contains("iter1-job1 accuracy: 0.500 ["))

        let reopened = try JSONLExperimentStore(fileURL: run.workspace.eventsFile)
        #expect(reopened.damage.isEmpty)
        #expect(try await reopened.records() == (try await run.store.records()))
    }
}
