import Foundation

/// A local folder and the folder where a remote job sees its contents.
public struct PathMapping: Sendable, Hashable, Codable {
    /// An absolute local folder, without a trailing `/`.
    public var local: String
    /// The absolute folder on the remote side that mirrors `local`, without a trailing `/`.
    public var remote: String

    /// Creates a mapping; trailing slashes are removed.
    public init(local: String, remote: String) {
        self.local = Self.trimmed(local)
        self.remote = Self.trimmed(remote)
    }

    /// `path` with the first (longest) matching mapping's local prefix replaced, or `path` itself when none match.
    ///
    /// A mapping matches `path` when `path` is its local folder or lies inside it (`local + "/"...`).
    public static func apply(_ mappings: [PathMapping], to path: String) -> String {
        let ordered = mappings.sorted { $0.local.count > $1.local.count }
        for mapping in ordered {
            if path == mapping.local {
                return mapping.remote
            }
            if path.hasPrefix(mapping.local + "/") {
                return mapping.remote + path.dropFirst(mapping.local.count)
            }
        }
        return path
    }

    /// `text` with every occurrence of a mapped local folder (as a whole path or a path prefix) replaced, so that
    /// `--config=/local/x.yaml` and `PATH`-style lists are translated too.
    public static func rewrite(_ mappings: [PathMapping], in text: String) -> String {
        var result = text
        for mapping in mappings.sorted(by: { $0.local.count > $1.local.count }) {
            result = replacingPathOccurrences(of: mapping, in: result)
        }
        return result
    }

    private static func replacingPathOccurrences(of mapping: PathMapping, in text: String) -> String {
        var output = ""
        var rest = Substring(text)
        while let range = rest.range(of: mapping.local) {
            let after = rest[range.upperBound...]
            let before = rest[..<range.lowerBound]
            let startsPath = before.last.map { [":", "=", " ", "\""].contains($0) } ?? true
            let endsPath = after.isEmpty || after.first == "/" || after.first == ":" || after.first == " "
            output += before
            output += startsPath && endsPath ? mapping.remote : mapping.local
            rest = after
        }
        return output + rest
    }

    private static func trimmed(_ path: String) -> String {
        var path = path
        while path.count > 1 && path.hasSuffix("/") {
            path.removeLast()
        }
        return path
    }
}
