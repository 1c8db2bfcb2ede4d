import AgentCore
import Foundation

/// Fingerprints of the files evaluation depends on (evaluation scripts, templates, generation config), taken at the
/// start of a run; any later change blocks evaluation.
///
/// Store the ``baseline`` with the run and rebuild the guard from it when resuming, so that a file changed while
/// the run was stopped is still caught.
public struct IntegrityGuard: Sendable, Hashable, Codable {
    /// SHA-256 of each protected path (a directory's digest covers its relative paths and file contents).
    public private(set) var baseline: [String: String]

    /// Rebuilds a guard from a stored baseline.
    public init(baseline: [String: String]) { self.baseline = baseline }

    /// Hashes `paths` now and protects them from here on.
    /// - Throws: ``IntegrityError/unreadable(path:reason:)`` when a path cannot be read.
    public init(protecting paths: [URL]) throws {
        var baseline = [String: String]()
        for url in paths {
            let path = url.standardizedFileURL.path
            do {
                baseline[path] = try Self.digest(of: url)
            } catch {
                throw IntegrityError.unreadable(path: path, reason: "\(error)")
            }
        }
        self.baseline = baseline
    }

    /// The protected paths whose contents differ from the baseline, with what changed; empty when all match.
    public func violations() -> [IntegrityViolation] {
        baseline.keys.sorted().compactMap { path in
            let url = URL(fileURLWithPath: path)
            guard FileManager.default.fileExists(atPath: path) else {
                return IntegrityViolation(path: path, problem: "was removed")
            }
            guard let digest = try? Self.digest(of: url) else {
                return IntegrityViolation(path: path, problem: "can no longer be read")
            }
            return digest == baseline[path] ? nil : IntegrityViolation(path: path, problem: "was modified")
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

    /// The SHA-256 of a file, or of a directory (its sorted relative paths and their files' digests).
    public static func digest(of url: URL) throws -> String {
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            throw IntegrityError.unreadable(path: url.path, reason: "no such file or directory")
        }
        guard isDirectory.boolValue else { return try SHA256.hexDigest(ofFileAt: url) }
        let root = url.standardizedFileURL.resolvingSymlinksInPath().path
        guard let enumerator = FileManager.default.enumerator(atPath: root) else {
            throw IntegrityError.unreadable(path: root, reason: "the directory cannot be listed")
        }
        var lines = [String]()
        for case let relative as String in enumerator {
            let child = URL(fileURLWithPath: root).appendingPathComponent(relative)
            var childIsDirectory: ObjCBool = false
            let exists = FileManager.default.fileExists(atPath: child.path, isDirectory: &childIsDirectory)
            if exists, !childIsDirectory.boolValue {
                lines.append("\(relative)\u{0}\(try SHA256.hexDigest(ofFileAt: child))")
            }
        }
        return SHA256.hexDigest(of: Array(lines.sorted().joined(separator: "\n").utf8))
    }
}

/// One protected path that no longer matches its baseline.
public struct IntegrityViolation: Sendable, Hashable, Codable {
    /// The protected path.
    public var path: String
    /// What happened to it: `was modified`, `was removed`, `can no longer be read`.
    public var problem: String

    /// Creates a violation.
    public init(path: String, problem: String) {
        self.path = path
        self.problem = problem
    }
}

/// An integrity check that could not be set up.
public enum IntegrityError: Error, Hashable, CustomStringConvertible {
    /// A path to protect could not be read.
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "Cannot fingerprint \(path): \(reason). Check that the evaluation files named by the task exist."
        }
    }
}
