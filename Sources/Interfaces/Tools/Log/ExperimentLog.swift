public import AgentCore
import Foundation

/// Renders `experiment_log.md` from the store: the latest record of each iteration, in iteration order.
public enum ExperimentLog {
    /// The log's markdown.
    public static func render(records: [ExperimentRecord], title: String) -> String {
        var latest: [Int: IterationRecord] = [:]
        for logged in records.all(IterationRecord.self) {
            latest[logged.iteration] = logged
        }
        let sections = latest.keys.sorted().map { latest[$0]!.markdown }
        return "# Experiment log: \(title)\n\n" + sections.joined(separator: "\n")
    }
}
