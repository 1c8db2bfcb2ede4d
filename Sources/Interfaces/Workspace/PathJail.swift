public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves paths the agent names so that they stay inside one folder: no `..`, no absolute path elsewhere,
/// and no symbolic link that leads out. The task's data roots may be read (never written); hidden paths (the
/// benchmark file, the evaluator's folder) may not be read at all, even inside a data root.
public struct PathJail: Sendable, Hashable {
    /// The folder paths must stay in, with its own symbolic links resolved.
    public let root: URL
    /// Further folders that may be read (never written), e.g. a task's data roots.
    public let readOnlyRoots: [URL]
    /// Files and folders that may not be read through the tools (the benchmark, whose targets are the answers).
    public let hidden: [URL]

    /// Creates a jail; symbolic links in the roots themselves are resolved.
    public init(root: URL, readOnlyRoots: [URL] = [], hidden: [URL] = []) {
        self.root = Self.realURL(root)
        self.readOnlyRoots = readOnlyRoots.map { Self.realURL($0) }
        self.hidden = hidden.map { Self.realURL($0) }
    }

    /// The URL of `path` (relative to the root, or absolute inside it) for writing.
    /// - Throws: ``WorkspaceError/pathEscapes(path:reason:)`` when it would leave the root.
    public func resolve(_ path: String) throws -> URL {
        try resolve(path, allowed: [root])
    }

    /// The URL of `path` for reading: inside the root or one of the read-only roots. A relative path is looked up in
    /// the run folder, then in each data root, in order.
    /// - Throws: ``WorkspaceError/pathEscapes(path:reason:)`` when it lies elsewhere or is hidden;
    ///   ``WorkspaceError/notFound(path:searched:)`` when a relative path is in none of the folders.
    public func resolveForReading(_ path: String) throws -> URL {
        let trimmed = path.trimmingCharacters(in: .whitespaces)
        let url: URL
        if trimmed.hasPrefix("/") || readOnlyRoots.isEmpty {
            url = try resolve(path, allowed: [root] + readOnlyRoots)
        } else {
            let inRun = try resolve(path, allowed: [root] + readOnlyRoots)
            let found = ([inRun] + readOnlyRoots.map { $0.appendingPathComponent(trimmed).standardizedFileURL })
                .first { FileManager.default.fileExists(atPath: $0.path) }
            guard let found else {
                throw WorkspaceError.notFound(path: path, searched: [root] + readOnlyRoots)
            }
            url = try resolve(found.path, allowed: [root] + readOnlyRoots)
        }
        if let secret = hidden.first(where: { Self.contains($0, url) }) {
            throw WorkspaceError.pathEscapes(
                path: path,
                reason: "\(secret.lastPathComponent) is the benchmark or the evaluator and is not readable; "
                    + "`data inspect` shows the evaluation prompts without their answers")
        }
        return url
    }

    private func resolve(_ path: String, allowed: [URL]) throws -> URL {
        let trimmed = path.trimmingCharacters(in: .whitespaces)
        guard !trimmed.contains("\0") else { throw WorkspaceError.pathEscapes(path: path, reason: "contains NUL") }
        if trimmed.split(separator: "/").contains("..") {
            throw WorkspaceError.pathEscapes(path: path, reason: "'..' is not allowed")
        }
        let candidate: URL
        if trimmed.hasPrefix("/") {
            candidate = URL(fileURLWithPath: trimmed).standardizedFileURL
        } else if trimmed.isEmpty || trimmed == "." {
            candidate = root
        } else {
            candidate = root.appendingPathComponent(trimmed).standardizedFileURL
        }
        let real = Self.realURL(candidate)
        guard allowed.contains(where: { Self.contains($0, real) }) else {
            let reason =
                real == candidate
                ? "not under the run folder" + (readOnlyRoots.isEmpty ? "" : " or a data root") : "a symbolic link leads to \(real.path)"
            throw WorkspaceError.pathEscapes(path: path, reason: reason)
        }
        return real
    }

    private static func contains(_ folder: URL, _ url: URL) -> Bool {
        url.path == folder.path || url.path.hasPrefix(folder.path.hasSuffix("/") ? folder.path : folder.path + "/")
    }

    /// `url` with symbolic links resolved in its longest existing prefix; the missing rest is appended as is.
    /// A dangling link is followed too (writing through it would create its target).
    static func realURL(_ url: URL, depth: Int = 0) -> URL {
        var existing = url.standardizedFileURL
        var missing: [String] = []
        func appendingMissing(_ base: URL) -> URL {
            var result = base
            for component in missing.reversed() { result.appendPathComponent(component) }
            return result.standardizedFileURL
        }
        while existing.path != "/" {
            if let resolved = realpath(existing.path, nil) {
                defer { free(resolved) }
                return appendingMissing(URL(fileURLWithPath: String(cString: resolved)))
            }
            if depth < 16, let target = try? FileManager.default.destinationOfSymbolicLink(atPath: existing.path) {
                let parent = existing.deletingLastPathComponent()
                let next = target.hasPrefix("/") ? URL(fileURLWithPath: target) : parent.appendingPathComponent(target)
                return realURL(appendingMissing(next), depth: depth + 1)
            }
            missing.append(existing.lastPathComponent)
            existing.deleteLastPathComponent()
        }
        return url.standardizedFileURL
    }
}
