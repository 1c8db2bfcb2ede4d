import Foundation

/// Why the demo benchmark could not be generated or written.
public enum DemoBenchmarkError: Error, Sendable, Hashable, CustomStringConvertible {
    /// A count or the number range is unusable.
    case invalidSettings(String)
    /// The number range holds too few numbers for both splits once near-duplicates are set aside.
    case rangeTooSmall(range: ClosedRange<Int>, testCount: Int, trainingCount: Int, found: Int)
    /// A split could not be written.
    case writeFailed(path: String, reason: String)

    /// What went wrong and what to do.
    public var description: String {
        switch self {
        case .invalidSettings(let reason):
            return "demo benchmark: \(reason)"
        case .rangeTooSmall(let range, let testCount, let trainingCount, let found):
            return "demo benchmark: the numbers \(range.lowerBound)...\(range.upperBound) yield only \(found) "
                + "training numbers clear of the \(testCount) test items, \(trainingCount) asked; "
                + "widen the range or ask for fewer samples"
        case .writeFailed(let path, let reason):
            return "demo benchmark: could not write \(path): \(reason); check that the folder exists and is writable"
        }
    }
}
