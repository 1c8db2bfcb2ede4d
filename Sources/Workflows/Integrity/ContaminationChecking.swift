public import Foundation

/// Checks a training file against the benchmark before a training job may read it.
///
/// The data engine's contamination index implements it; the workflow calls it before every training job and blocks
/// the job when a file is not clean.
public protocol ContaminationChecking: Sendable {
    /// Checks one training file.
    /// - Parameter trainingFile: the file training would read.
    /// - Returns: whether it is clean, and a summary naming the benchmark items it matched when it is not.
    /// - Throws: when the check cannot run (the job is then blocked too).
    func check(trainingFile: URL) async throws -> (clean: Bool, summary: String)
}
