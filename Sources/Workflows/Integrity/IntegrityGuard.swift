import AgentCore
import Foundation

/// Fingerprints of the files evaluation depends on (evaluation scripts, templates, generation config), taken at the
/// start of a run; any later change blocks evaluation.
///
/// Paths are relative to a base folder (the task folder); folders are walked recursively. Store the guard (it is
/// `Codable`) with the run and rebuild it from there when resuming, so that a file changed while the run was stopped
/// is still caught.
public struct IntegrityGuard: Sendable, Hashable, Codable {
    /// The folder the protected paths are relative to.
    public private(set) var base: String
    /// The protected paths, as given.
    public private(set) var paths: [String]
    /// SHA-256 of each protected file at the start, by path relative to ``base`` (`"missing"` for a listed path
    /// that did not exist, so that its later appearance counts as a change).
    public private(set) var baseline: [String: String]

    static let missing = "missing"

    /// Hashes `paths` now and protects them from here on.
    /// - Parameters:
    ///   - paths: files or folders inside `base`, relative to it (e.g. `["evaluate.py", "templates"]`).
    ///   - base: the folder the paths are relative to.
    /// - Throws: ``IntegrityError/unreadable(path:reason:)`` when a file exists but cannot be read.
    public init(protecting paths: [String], in base: URL) throws {
        self.base = base.standardizedFileURL.path
        self.paths = paths
        baseline = try Self.digests(of: paths, in: base)
    }

    /// What changed since the start, sorted by path; empty when nothing did. A file that can no longer be read
    /// counts as changed.
    public func violations() -> [IntegrityViolation] {
        let current: [String: String]
        do {
            current = try Self.digests(of: paths, in: URL(fileURLWithPath: base))
        } catch IntegrityError.unreadable(let path, let reason) {
            return [IntegrityViolation(path: path, problem: "can no longer be read (\(reason))")]
        } catch {
            return [IntegrityViolation(path: base, problem: "can no longer be read (\(error))")]
        }
        return Set(baseline.keys).union(current.keys).sorted().compactMap { path in
            let before = baseline[path].flatMap { $0 == Self.missing ? nil : $0 }
            let after = current[path].flatMap { $0 == Self.missing ? nil : $0 }
            switch (before, after) {
            case (nil, nil): return nil
            case (nil, .some): return IntegrityViolation(path: path, problem: "was added")
            case (.some, nil): return IntegrityViolation(path: path, problem: "was removed")
            case (.some(let old), .some(let new)):
                return old == new ? nil : IntegrityViolation(path: path, problem: "was modified")
            }
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

    private static func digests(of paths: [String], in base: URL) throws -> [String: String] {
        let manager = FileManager.default
        var digests = [String: String]()
        for path in paths {
            let url = base.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                digests[path] = missing
                continue
            }
            guard isDirectory.boolValue else {
                digests[path] = try digest(of: url, path: path)
                continue
            }
            guard let enumerator = manager.enumerator(atPath: url.path) else {
                throw IntegrityError.unreadable(path: path, reason: "the folder cannot be listed")
            }
            while let relative = enumerator.nextObject() as? String {
                var childIsDirectory: ObjCBool = false
                let child = url.appendingPathComponent(relative)
                if manager.fileExists(atPath: child.path, isDirectory: &childIsDirectory), !childIsDirectory.boolValue {
                    digests[path + "/" + relative] = try digest(of: child, path: path + "/" + relative)
                }
            }
        }
        return digests
    }

    private static func digest(of url: URL, path: String) throws -> String {
        do {
            return try SHA256.hexDigest(ofFileAt: url)
        } catch {
            throw IntegrityError.unreadable(path: path, reason: "\(error)")
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

/// An integrity check that could not be set up.
public enum IntegrityError: Error, Hashable, CustomStringConvertible {
    /// A protected file exists but cannot be read.
    case unreadable(path: String, reason: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "Cannot fingerprint \(path): \(reason). Check the permissions of the evaluation files named by the task."
        }
    }
}
