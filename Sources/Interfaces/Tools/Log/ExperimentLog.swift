public import AgentCore
import Foundation

/// Renders `experiment_log.md` from the store: the latest record of each iteration, in iteration order, each
/// dataset it names cited with its provenance manifest when the run folder has one.
public enum ExperimentLog {
    /// The log's markdown.
    /// - Parameter workspace: the run folder, for the datasets' manifests (`iterations/<n>/data/<name>.manifest.json`).
    public static func render(records: [ExperimentRecord], title: String, workspace: Workspace? = nil) -> String {
        var latest: [Int: IterationRecord] = [:]
        for logged in records.all(IterationRecord.self) {
            latest[logged.iteration] = logged
        }
        let sections = latest.keys.sorted().map { iteration in
            let record = latest[iteration]!
            return record.markdown + (workspace.map { provenance(of: record, in: $0) } ?? "")
        }
        return "# Experiment log: \(title)\n\n" + sections.joined(separator: "\n")
    }

    /// `- Provenance:` with one entry per named dataset that has a manifest: its path and each operation's line.
    static func provenance(of record: IterationRecord, in workspace: Workspace) -> String {
        let data = workspace.iteration(record.iteration).data
        var lines: [String] = []
        for name in record.data {
            let file = data.appendingPathComponent("\(name).json")
            guard let manifest = DatasetManifest.load(for: file) else { continue }
            lines.append("  - \(name) (\(workspace.relativePath(of: DatasetManifest.file(for: file)))):")
            lines += manifest.summary.split(separator: "\n").map { "    - \($0)" }
        }
        return lines.isEmpty ? "" : "- Provenance:\n" + lines.joined(separator: "\n") + "\n"
    }
}
