import AgentCore
import Evaluation
import Foundation

/// The evaluations saved in a run: raw report JSON and summaries under `iterations/<n>/eval/`, indexed by the
/// store's `eval.report` records.
struct EvaluationArchive {
    let environment: InterfaceEnvironment

    /// The latest `eval.report` payload of each label, in store order of their latest record.
    func entries() async throws -> [(label: String, payload: JSONValue)] {
        var latest: [String: (Int, JSONValue)] = [:]
        for record in try await environment.store.records() where record.kind == RecordKind.evalReport {
            if let label = record.payload["label"]?.stringValue { latest[label] = (record.sequence, record.payload) }
        }
        return latest.sorted { $0.value.0 < $1.value.0 }.map { ($0.key, $0.value.1) }
    }

    /// The saved labels, comma-separated, or `none`.
    func knownLabels() async throws -> String {
        let labels = try await entries().map(\.label)
        return labels.isEmpty ? "none" : labels.joined(separator: ", ")
    }

    /// The saved report of `label`, or `nil` when there is none.
    func report(label: String) async throws -> EvaluationReport? {
        guard let payload = try await entries().last(where: { $0.label == label })?.payload,
            let path = payload["reportPath"]?.stringValue
        else { return nil }
        return try load(path)
    }

    /// The most recently saved report.
    func latestReport() async throws -> EvaluationReport? {
        guard let path = try await entries().last?.payload["reportPath"]?.stringValue else { return nil }
        return try load(path)
    }

    private func load(_ relativePath: String) throws -> EvaluationReport {
        let url = environment.workspace.root.appendingPathComponent(relativePath)
        guard let data = FileManager.default.contents(atPath: url.path) else {
            throw ToolRefusal("The saved report \(relativePath) is missing; evaluate again.")
        }
        return try JSONDecoder().decode(EvaluationReport.self, from: data)
    }
}
