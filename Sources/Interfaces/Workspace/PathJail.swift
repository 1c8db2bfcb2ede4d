public import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// Resolves paths the agent names so that they stay inside one folder: no `..`, no absolute path elsewhere,
/// and no symbolic link that leads out.
public struct PathJail: Sendable, Hashable {
    /// The folder paths must stay in, with its own symbolic links resolved.
    public let root: URL
    /// Further folders that may be read (never written), e.g. a task's data roots.
    public let readOnlyRoots: [URL]

    /// Creates a jail; symbolic links in the roots themselves are resolved.
    public init(root: URL, readOnlyRoots: [URL] = []) {
        self.root = Self.realURL(root)
        self.readOnlyRoots = readOnlyRoots.map { Self.realURL($0) }
    }

    /// The URL of `path` (relative to the root, or absolute inside it) for writing.
    /// - Throws: ``WorkspaceError/pathEscapes(path:reason:)`` when it would leave the root.
    public func resolve(_ path: String) throws -> URL {
        try resolve(path, allowed: [root])
    }

    /// The URL of `path` for reading: inside the root or one of the read-only roots.
    /// - Throws: ``WorkspaceError/pathEscapes(path:reason:)`` when it lies elsewhere.
    public func resolveForReading(_ path: String) throws -> URL {
        try resolve(path, allowed: [root] + readOnlyRoots)
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
            let reason = real == candidate ? "not under the run folder" : "a symbolic link leads to \(real.path)"
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
