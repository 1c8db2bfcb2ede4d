/// Errors of the data engine that stop a validation or a scan before it produces a report.
///
/// Problems inside a dataset (a malformed line, an empty field) are findings in a report, never these errors.
public enum DataEngineError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The file does not exist or could not be opened.
    case fileNotReadable(path: String, reason: String)
    /// No benchmark item had a non-empty text value in any of the requested fields.
    case noUsableBenchmarkText(path: String, fields: [String])
    /// An option was out of range.
    case invalidOption(name: String, reason: String)
    /// The model's tokenizer could not be run for length checks.
    case tokenizerUnavailable(reason: String)

    public var description: String {
        switch self {
        case .fileNotReadable(let path, let reason):
            "Cannot read \(path): \(reason). Check the path and its permissions."
        case .noUsableBenchmarkText(let path, let fields):
            "The benchmark \(path) has no usable text in the fields \(fields.joined(separator: ", ")): "
                + "no item holds a non-empty string there. Name the question and answer fields with --fields."
        case .invalidOption(let name, let reason):
            "Invalid option \(name): \(reason)."
        case .tokenizerUnavailable(let reason):
            "The tokenizer is unavailable: \(reason). Leave the token counter at its estimate, or fix the environment."
        }
    }
}
