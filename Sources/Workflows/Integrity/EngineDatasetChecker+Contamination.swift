import DataEngine
public import Foundation
public import Interfaces

extension EngineDatasetChecker: ContaminationChecking {
    /// Scans a training file against the benchmark index; clean when no hit reaches the blocking score.
    /// - Throws: ``DataEngineError`` when the file cannot be read.
    public func check(trainingFile: URL) async throws -> (clean: Bool, summary: String) {
        guard let index else { return (true, "no benchmark file to scan against") }
        let report = try await index.scan(trainingFile: trainingFile)
        guard report.blocksTraining else {
            return (true, "\(report.scannedSamples) samples scanned, no contamination above the threshold")
        }
        let examples = report.hits.prefix(3).map {
            "line \($0.trainingLine) ~ benchmark item \($0.benchmarkItemID) (\($0.kind.rawValue)): \"\($0.overlap)\""
        }
        return (false, "\(report.contaminatedSamples) contaminated samples: " + examples.joined(separator: "; "))
    }
}
