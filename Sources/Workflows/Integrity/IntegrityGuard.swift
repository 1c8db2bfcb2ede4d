import AgentCore
public import Evaluation
public import Foundation

/// Fingerprints of the files evaluation depends on (evaluation scripts, templates, generation config), taken at the
/// start of a run; any later change blocks evaluation.
///
/// Paths are relative to a base folder (the task folder); folders are walked recursively (see `FileFingerprint`).
/// Store the guard (it is `Codable`) with the run and rebuild it from there when resuming, so that a file changed
/// while the run was stopped is still caught.
public struct IntegrityGuard: Sendable, Hashable, Codable {
    /// The folder the protected paths are relative to.
    public private(set) var base: String
    /// The protected paths, as given.
    public private(set) var paths: [String]
    /// The SHA-256 of each protected file at the start (a listed path that did not exist is recorded as missing, so
    /// that its later appearance counts as a change).
    public private(set) var baseline: FileFingerprint

    /// Hashes `paths` now and protects them from here on.
    /// - Parameters:
    ///   - paths: files or folders inside `base`, relative to it (e.g. `["evaluate.py", "templates"]`).
    ///   - base: the folder the paths are relative to.
    /// - Throws: `EvaluationError` when a file exists but cannot be read.
    public init(protecting paths: [String], in base: URL) throws {
        self.base = base.standardizedFileURL.path
        self.paths = paths
        baseline = try FileFingerprint.compute(paths: paths, in: base)
    }

    /// What changed since the start, sorted by path; empty when nothing did. Files that can no longer be read
    /// count as changed.
    public func violations() -> [IntegrityViolation] {
        do {
            let current = try FileFingerprint.compute(paths: paths, in: URL(fileURLWithPath: base))
            return baseline.changes(in: current).map {
                IntegrityViolation(path: $0.path, problem: "was \($0.kind.rawValue)")
            }
        } catch {
            return [IntegrityViolation(path: base, problem: "can no longer be read (\(error))")]
        }
    }

    /// A rule that denies the given tools (by default `eval`) while any protected file differs from the baseline.
    public func rule(tools: Set<String> = ["eval"]) -> Rule {
        Rule("evaluation files unchanged", tools: tools) { _ in
            let found = violations()
            guard !found.isEmpty else { return .allow }
            let list = found.map { "\($0.path) \($0.problem)" }.joined(separator: "; ")
            return .deny(
                reason: "Evaluation is blocked: files fixed at the start of the run changed (\(list)). "
                    + "Evaluation files, templates and generation config must stay as they were; restore them.")
        }
    }
}

/// One protected file that no longer matches its baseline.
public struct IntegrityViolation: Sendable, Hashable, Codable {
    /// The file, relative to the guard's base folder.
    public var path: String
    /// What happened to it: `was modified`, `was removed`, `was added`, `can no longer be read`.
    public var problem: String

    /// Creates a violation.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
}
