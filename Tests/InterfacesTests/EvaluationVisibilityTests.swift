import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Testing

/// What an evaluation leaves for the agent to read: its model's answers and verdicts, never the benchmark's answers.
@Suite struct EvaluationVisibilityTests {
    @Test func theAgentsCopyAndSummaryCarryNoTargetsAndTheFullReportIsKeptApart() async throws {
        let run = try InterfaceTestRun(hiddenSources: [])
        let output = try await run.call("eval", #"{"iteration": 0, "model": "base", "label": "baseline"}"#)
        #expect(!output.isError && output.content.contains("benchmark's answers are kept out"), "\(output.content)")

        let readable = run.root.appendingPathComponent("iterations/0/eval/baseline.json")
        let copy = try JSONValue(parsing: String(contentsOf: readable, encoding: .utf8))
        let samples = copy["samples"]?.arrayValue ?? []
        #expect(samples.count == 100 && samples.allSatisfy { $0["target"] == nil && $0["output"] != nil })
        let summary = try String(
            contentsOf: run.root.appendingPathComponent("iterations/0/eval/baseline-summary.md"), encoding: .utf8)
        #expect(!summary.contains("- target:") && summary.contains("- verdict: wrong ("), "\(summary.prefix(600))")

        let full = run.workspace.evaluationReport(iteration: 0, label: "baseline")
        let report = try JSONValue(parsing: String(contentsOf: full, encoding: .utf8))
        #expect(report["samples"]?.arrayValue?.first?["target"]?.stringValue == "0")
        let records = try await run.store.records()
        #expect(records.last(EvalReported.self)?.reportPath == "evaluator/reports/0/baseline.json")

        // Through the agent's file tool, the full report's folder is out of reach in a real run (hidden paths).
        let jail = PathJail(root: run.root, readOnlyRoots: [], hidden: [run.workspace.evaluatorDirectory])
        #expect(throws: (any Error).self) { try jail.resolveForReading("evaluator/reports/0/baseline.json") }
    }
}
