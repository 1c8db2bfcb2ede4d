import AgentCore
public import Foundation

/// One data root as the task brief lists it: its files with sizes and, for JSON, JSONL and CSV files, rows, field
/// names and a shortened example row. Bounded: at most `maxFiles` files (the rest counted), rows counted only in
/// files up to 64 MB, examples cut to 300 characters.
public struct DataListing: Sendable, Hashable {
    /// One file of the root.
    public struct File: Sendable, Hashable {
        /// The path relative to the root.
        public var name: String
        public var bytes: Int
        public var rows: Int?
        public var fields: [String]
        public var example: String?
        /// Why the file may not be read (the benchmark), if so.
        public var hidden: Bool
    }

    /// The root folder.
    public var root: String
    public var files: [File]
    /// Files not listed (beyond `maxFiles`).
    public var unlisted: Int

    /// Lists `root`, marking `hidden` files (and the files of `hidden` folders) as not readable, without opening them.
    public init(root: URL, hidden: [URL] = [], maxFiles: Int = 12) {
        self.root = root.path
        let manager = FileManager.default
        var paths: [URL] = []
        var isDirectory: ObjCBool = false
        if manager.fileExists(atPath: root.path, isDirectory: &isDirectory), !isDirectory.boolValue {
            paths = [root]
        } else if let enumerator = manager.enumerator(
            at: root, includingPropertiesForKeys: [.isRegularFileKey, .fileSizeKey], options: [.skipsHiddenFiles])
        {
            for case let url as URL in enumerator
            where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
                paths.append(url)
            }
        }
        paths.sort { $0.path < $1.path }
        let hiddenPaths = Set(hidden.map { $0.standardizedFileURL.path })
        unlisted = max(0, paths.count - maxFiles)
        files = paths.prefix(maxFiles).map { url in
            let relative = url.path == root.path ? url.lastPathComponent : String(url.path.dropFirst(root.path.count + 1))
            let bytes = (try? url.resourceValues(forKeys: [.fileSizeKey]).fileSize) ?? 0
            let path = url.standardizedFileURL.path
            if hiddenPaths.contains(path) || hiddenPaths.contains(where: { path.hasPrefix($0 + "/") }) {
                return File(name: relative, bytes: bytes, rows: nil, fields: [], example: nil, hidden: true)
            }
            let sample = bytes <= 64 << 20 ? Self.sample(url) : nil
            return File(
                name: relative, bytes: bytes, rows: sample?.rows, fields: sample?.fields ?? [], example: sample?.example,
                hidden: false)
        }
    }

    /// Rows, the first row's fields and the first row shortened, for JSON, JSONL and CSV/TSV files.
    static func sample(_ url: URL) -> (rows: Int, fields: [String], example: String)? {
        guard let data = FileManager.default.contents(atPath: url.path) else { return nil }
        let text = String(decoding: data, as: UTF8.self)
        switch url.pathExtension.lowercased() {
        case "jsonl":
            let lines = text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
            guard let first = lines.first, let row = try? JSONValue(parsing: String(first)) else { return nil }
            return (lines.count, row.objectValue?.keys.sorted() ?? [], clip(row.compactText))
        case "json":
            guard let value = try? JSONValue(parsing: text) else { return nil }
            guard let rows = value.arrayValue else {
                return (1, value.objectValue?.keys.sorted() ?? [], clip(value.compactText))
            }
            let first = rows.first
            return (rows.count, first?.objectValue?.keys.sorted() ?? [], clip(first?.compactText ?? ""))
        case "csv", "tsv":
            let lines = text.split(separator: "\n").filter { !$0.allSatisfy(\.isWhitespace) }
            guard let header = lines.first else { return nil }
            let separator: Character = url.pathExtension.lowercased() == "tsv" ? "\t" : ","
            return (
                max(0, lines.count - 1), header.split(separator: separator).map(String.init),
                clip(lines.dropFirst().first.map(String.init) ?? "")
            )
        default:
            return nil
        }
    }

    static func clip(_ text: String) -> String { text.count > 300 ? String(text.prefix(300)) + "…" : text }

    /// The listing as the brief shows it.
    public var rendered: String {
        var lines = ["- \(root)/"]
        if files.isEmpty { lines.append("  (empty)") }
        for file in files {
            var line = "  - \(file.name) (\(Self.size(file.bytes))"
            if file.hidden {
                line += "; the benchmark: not readable; its prompts are in the Evaluation section or `data inspect`)"
                lines.append(line)
                continue
            }
            if let rows = file.rows { line += ", \(rows) rows" }
            line += ")"
            if !file.fields.isEmpty { line += " fields: \(file.fields.prefix(20).joined(separator: ", "))" }
            lines.append(line)
            if let example = file.example, !example.isEmpty { lines.append("    example: \(example)") }
        }
        if unlisted > 0 { lines.append("  - … and \(unlisted) more files (list_dir shows them)") }
        return lines.joined(separator: "\n")
    }

    static func size(_ bytes: Int) -> String {
        if bytes >= 1 << 20 { return String(format: "%.1f MB", Double(bytes) / Double(1 << 20)) }
        if bytes >= 1 << 10 { return String(format: "%.1f KB", Double(bytes) / Double(1 << 10)) }
        return "\(bytes) bytes"
    }
}
