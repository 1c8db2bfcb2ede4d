import Foundation

/// Why the checkpoint registry refused or failed an operation.
public enum RegistryError: Error, Hashable, CustomStringConvertible {
    /// A folder does not hold a loadable model.
    case notLoadable(path: String, reason: String)
    /// No candidate has this id.
    case unknownCandidate(String)
    /// A candidate with this id is already registered.
    case duplicateCandidate(String)
    /// Training may start only from the base model or a registered descendant.
    case lineageViolation(parent: String)
    /// A candidate names a different base model than the run's.
    case foreignBaseModel(expected: String, found: String)
    /// A comparison needs an evaluation report that is missing.
    case missingReport(candidate: String, benchmark: String?)
    /// Reading or writing the registry or `final_model/` failed.
    case fileSystem(path: String, reason: String)

    public var description: String {
        switch self {
        case .notLoadable(let path, let reason):
            "\(path) is not a loadable model: \(reason)."
        case .unknownCandidate(let id):
            "No candidate '\(id)' is registered. Register the trained checkpoint first."
        case .duplicateCandidate(let id):
            "A candidate '\(id)' is already registered; pick a new id."
        case .lineageViolation(let parent):
            "Training may start only from the base model or a registered descendant; '\(parent)' is neither. "
                + "Start from the base model or a registered candidate."
        case .foreignBaseModel(let expected, let found):
            "The candidate's base model is \(found) but this run's base model is \(expected)."
        case .missingReport(let candidate, let benchmark):
            "Candidate '\(candidate)' has no evaluation report" + (benchmark.map { " on '\($0)'" } ?? "")
                + ". Evaluate it first."
        case .fileSystem(let path, let reason):
            "File operation on \(path) failed: \(reason)."
        }
    }
}
