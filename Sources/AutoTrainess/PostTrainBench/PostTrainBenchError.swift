public import Foundation

/// Why a PostTrainBench task folder cannot be run.
public enum PostTrainBenchError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The folder lacks a file every task has.
    case missingFile(folder: String, file: String)
    /// `timer.sh` printed neither a time nor `Timer expired!`.
    case timerUnreadable(path: String, output: String)
    /// The timer says no time is left.
    case timerExpired(path: String)
    /// A results folder for `ptb score` is missing what the score needs.
    case unreadableResult(path: String, reason: String)

    public var description: String {
        switch self {
        case .missingFile(let folder, let file):
            "\(folder) is not a PostTrainBench task folder: it has no \(file) (a task folder holds evaluate.py, "
                + "templates/ and timer.sh)"
        case .timerUnreadable(let path, let output):
            "bash \(path) printed neither 'H:MM' nor 'Timer expired!': \(output)"
        case .timerExpired(let path):
            "\(path) says 'Timer expired!': no time is left for a run"
        case .unreadableResult(let path, let reason):
            "\(path): \(reason)"
        }
    }
}
