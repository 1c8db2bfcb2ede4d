import AgentCore
public import Foundation

/// SHA-256 digests of a set of files, keyed by path relative to a base folder: recorded when a run starts, compared
/// before every evaluation so that edited evaluation code or templates block the evaluation.
public struct FileFingerprint: Sendable, Hashable, Codable {
    /// Relative path → lowercase hex SHA-256 of the file's bytes.
    public var digests: [String: String]

    /// A fingerprint from known digests.
    public init(digests: [String: String]) {
        self.digests = digests
    }

    /// Hashes `paths` (files, or folders walked recursively, hidden files included) relative to `base`.
    /// A listed path that does not exist is recorded as missing, so that a later appearance counts as a change.
    /// - Parameters:
    ///   - paths: files or folders inside `base`, relative to it (e.g. `["evaluate.py", "templates"]`).
    ///   - base: the folder the paths are relative to.
    /// - Throws: `EvaluationError.logUnreadable` when a file exists but cannot be read.
    public static func compute(paths: [String], in base: URL) throws -> FileFingerprint {
        var digests: [String: String] = [:]
        let manager = FileManager.default
        for path in paths {
            let url = base.appendingPathComponent(path)
            var isDirectory: ObjCBool = false
            guard manager.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
                digests[path] = missing
                continue
            }
            if isDirectory.boolValue {
                for file in try filesInside(url) {
                    digests[path + "/" + file] = try digest(of: url.appendingPathComponent(file))
                }
            } else {
                digests[path] = try digest(of: url)
            }
        }
        return FileFingerprint(digests: digests)
    }

    /// What differs in `current` compared with this (the recorded) fingerprint, sorted by path.
    public func changes(in current: FileFingerprint) -> [Change] {
        let paths = Set(digests.keys).union(current.digests.keys).sorted()
        return paths.compactMap { path in
            let before = digests[path].flatMap { $0 == Self.missing ? nil : $0 }
            let after = current.digests[path].flatMap { $0 == Self.missing ? nil : $0 }
            switch (before, after) {
            case (nil, nil): return nil
            case (nil, .some): return Change(path: path, kind: .added)
            case (.some, nil): return Change(path: path, kind: .removed)
            case (.some(let old), .some(let new)): return old == new ? nil : Change(path: path, kind: .modified)
            }
        }
    }

    /// One difference between two fingerprints.
    public struct Change: Sendable, Hashable, Codable, CustomStringConvertible {
        /// The kind of difference.
        public enum Kind: String, Sendable, Hashable, Codable {
            /// The file exists now but was not recorded.
            case added
            /// The file was recorded but is gone.
            case removed
            /// The file's bytes differ.
            case modified
        }

        /// Path relative to the fingerprint's base folder.
        public var path: String
        /// What happened to it.
        public var kind: Kind

        /// A change.
        public init(path: String, kind: Kind) {
            self.path = path
            self.kind = kind
        }

        /// `"templates/llama3.jinja modified"`.
        public var description: String { "\(path) \(kind.rawValue)" }
    }

    /// The digest recorded for a listed path that did not exist.
    static let missing = "missing"

    /// The lowercase hex SHA-256 of a file, read in chunks.
    public static func digest(of url: URL) throws -> String {
        do {
            return SHA256.hex(of: try Data(contentsOf: url))
        } catch {
            throw EvaluationError.logUnreadable(path: url.path, reason: "cannot hash it: \(error.localizedDescription)")
        }
    }

    static func filesInside(_ folder: URL) throws -> [String] {
        guard let enumerator = FileManager.default.enumerator(atPath: folder.path) else {
            throw EvaluationError.logUnreadable(path: folder.path, reason: "cannot list the folder to hash it")
        }
        var files: [String] = []
        while let relative = enumerator.nextObject() as? String {
            var isDirectory: ObjCBool = false
            let url = folder.appendingPathComponent(relative)
            if FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory), !isDirectory.boolValue {
                files.append(relative)
            }
        }
        return files.sorted()
    }
}
