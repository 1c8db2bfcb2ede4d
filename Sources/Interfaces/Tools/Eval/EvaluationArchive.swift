import AgentCore
import Evaluation
import Foundation

/// The evaluations saved in a run: raw report JSON and summaries under `iterations/<n>/eval/`, indexed by the
/// store's `eval.report` records.
struct EvaluationArchive {
    let environment: InterfaceEnvironment

    /// The latest `eval.report` record of each label, in store order of their latest record.
    func entries() async throws -> [EvalReported] {
        var latest: [String: (Int, EvalReported)] = [:]
        for (index, report) in try await environment.store.records().all(EvalReported.self).enumerated() {
            latest[report.label] = (index, report)
        }
        return latest.values.sorted { $0.0 < $1.0 }.map(\.1)
    }

    /// The saved labels, comma-separated, or `none`.
    func knownLabels() async throws -> String {
        let labels = try await entries().map(\.label)
        return labels.isEmpty ? "none" : labels.joined(separator: ", ")
    }

    /// The saved report of `label`, or `nil` when there is none.
    func report(label: String) async throws -> EvaluationReport? {
        guard let entry = try await entries().last(where: { $0.label == label }) else { return nil }
        return try load(entry.reportPath)
    }

    /// The most recently saved report.
    func latestReport() async throws -> EvaluationReport? {
        guard let entry = try await entries().last else { return nil }
        return try load(entry.reportPath)
    }

    private func load(_ relativePath: String) throws -> EvaluationReport {
        let url = environment.workspace.resolve(relativePath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ToolRefusal("The saved report \(relativePath) is missing; evaluate again.")
        }
        return try JSONDecoder().decode(EvaluationReport.self, from: data)
    }
}
