public import Foundation

/// Why an evaluation produced no report. Every case names the cause and where it happened; an evaluator throws one
/// of these instead of returning a partial report.
public enum EvaluationError: Error, Sendable, Hashable, CustomStringConvertible, LocalizedError {
    /// The model folder to evaluate does not exist.
    case modelNotFound(path: String)
    /// The model folder exists but the evaluator could not load it (bad weights, missing config or tokenizer).
    case modelLoadFailed(path: String, detail: String)
    /// The evaluator process failed: a crash, a non-zero exit, or a signal.
    case evaluatorFailed(command: [String], exitCode: Int32?, signal: Int32?, outputTail: [String])
    /// The evaluator ran past its deadline and was stopped.
    case timedOut(command: [String], seconds: Double)
    /// A log or result file could not be read at all (missing, empty, not JSON).
    case logUnreadable(path: String, reason: String)
    /// A log or result file is JSON but lacks what a report needs (a field, a metric, the samples).
    case logMalformed(path: String, reason: String)
    /// The evaluation ran and its log records that it did not succeed (`error`, `cancelled` or still `started`).
    case evaluationNotSuccessful(path: String, status: String, message: String?)
    /// Evaluation files (an `evaluate.py`, templates) differ from the hashes recorded when the run started.
    case evaluationFilesChanged(changes: [FileFingerprint.Change])
    /// A local benchmark file has a bad line.
    case benchmarkInvalid(path: String, line: Int, reason: String)
    /// A required input (task folder, script, task file) is missing or unusable.
    case invalidInput(String)

    /// A one-paragraph message: what was wrong, where, and what to do.
    public var description: String {
        switch self {
        case .modelNotFound(let path):
            return "model folder not found: \(path). Pass the folder of a saved model (config.json and weights)."
        case .modelLoadFailed(let path, let detail):
            return "the model at \(path) failed to load: \(detail). Check that the folder holds a complete model "
                + "(config.json, weights, tokenizer) saved by the same transformers version."
        case .evaluatorFailed(let command, let exitCode, let signal, let tail):
            let code = exitCode.map(String.init) ?? "?"
            let how = signal.map { "was killed by signal \($0)" } ?? "exited with code \(code)"
            let lastLines = tail.suffix(15).joined(separator: "\n")
            return "the evaluator \(how): \(command.joined(separator: " "))\nlast output:\n\(lastLines)"
        case .timedOut(let command, let seconds):
            return "the evaluator was stopped at its deadline after \(Int(seconds)) s: "
                + "\(command.joined(separator: " ")). Lower the sample limit or give the evaluation more time."
        case .logUnreadable(let path, let reason):
            return "cannot read \(path): \(reason)"
        case .logMalformed(let path, let reason):
            return "\(path) is not a usable evaluation log: \(reason)"
        case .evaluationNotSuccessful(let path, let status, let message):
            let detail = message.map { ": \($0)" } ?? ""
            return "the evaluation logged in \(path) ended with status '\(status)'\(detail)"
        case .evaluationFilesChanged(let changes):
            let list = changes.map(\.description).joined(separator: "; ")
            return "evaluation files changed since the run started (\(list)). Restore them; evaluation is refused "
                + "while the evaluation code or templates differ from the recorded hashes."
        case .benchmarkInvalid(let path, let line, let reason):
            return "\(path):\(line): \(reason)"
        case .invalidInput(let message):
            return message
        }
    }

    /// Same as `description`, for `localizedDescription`.
    public var errorDescription: String? { description }
}
