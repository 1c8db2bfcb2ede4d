import Foundation

/// Builds POSIX shell command text for executors that run a `ProcessSpec` through a shell elsewhere.
public enum ShellCommand {
    /// `word` quoted for a POSIX shell: unchanged when it only has safe characters, else in single quotes.
    public static func quote(_ word: String) -> String {
        let safe = Set("abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-_./:=,+@%")
        if !word.isEmpty && word.allSatisfy({ safe.contains($0) }) {
            return word
        }
        return "'" + word.replacingOccurrences(of: "'", with: "'\\''") + "'"
    }

    /// The variables of `environment` that the job must be given explicitly: those absent from `base` or set to
    /// another value there (the remote side keeps its own values for the rest), sorted by name.
    public static func changedVariables(
        _ environment: [String: String], comparedTo base: [String: String]
    ) -> [(name: String, value: String)] {
        environment.filter { base[$0.key] != $0.value }.sorted { $0.key < $1.key }.map { ($0.key, $0.value) }
    }

    /// The `PATH` folders of `environment` that `base`'s `PATH` lacks, in order (for example a venv's `bin`).
    public static func addedPathFolders(
        _ environment: [String: String], comparedTo base: [String: String]
    ) -> [String] {
        let known = Set((base["PATH"] ?? "").split(separator: ":").map(String.init))
        return (environment["PATH"] ?? "").split(separator: ":").map(String.init).filter { !known.contains($0) }
    }
}
