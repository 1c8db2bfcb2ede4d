public import AgentCore
import Foundation

/// `write_file`: writes a text file inside the run folder. The store, `run.json`, `final_model/`, the checkpoint
/// registry, the integrity hashes and the evaluator's files are off limits.
public struct WriteFileTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        /// A path relative to the run folder.
        public var path: String
        /// The text to write.
        public var content: String
        /// Whether to append instead of replacing.
        public var append: Bool?
    }

    /// The folder paths must stay in.
    public let jail: PathJail

    public init(jail: PathJail) { self.jail = jail }

    public var name: String { "write_file" }
    public var description: String {
        "Write (or append to) a text file in the run folder, creating folders as needed. "
            + "run.json, events.jsonl, integrity.json, final_model/, checkpoints/ and evaluator/ cannot be written."
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "path": .string(description: "File path relative to the run folder"),
                "content": .string(), "append": .boolean(description: "Append instead of replacing (default false)"),
            ],
            required: ["path", "content"])
    }

    /// Top-level entries of the run folder that only the run itself writes.
    static let protectedEntries: Set<String> = [
        "run.json", "events.jsonl", "integrity.json", "final_model", "checkpoints", "evaluator", ".run.lock",
    ]

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        let url: URL
        do { url = try jail.resolve(arguments.path) } catch { return .error("\(error)") }
        let relative = url.path == jail.root.path ? "" : String(url.path.dropFirst(jail.root.path.count + 1))
        let first = relative.split(separator: "/").first.map(String.init) ?? ""
        if Self.protectedEntries.contains(first) || first.hasPrefix(".final_model") {
            return .error("'\(relative)' is managed by the run itself and cannot be written by tools.")
        }
        var isDirectory: ObjCBool = false
        if relative.isEmpty
            || (FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) && isDirectory.boolValue)
        {
            return .error("'\(arguments.path)' is a folder: name a file.")
        }
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let bytes = Data(arguments.content.utf8)
        // Replacing writes a new file (the old name's other links keep the old content); appending would write
        // through a hard link into a file elsewhere, so a file with several links is only replaced.
        let links = (try? FileManager.default.attributesOfItem(atPath: url.path)[.referenceCount] as? Int) ?? 1
        if arguments.append == true, links > 1 {
            return .error(
                "'\(relative)' has \(links) hard links: appending would change the other names too. "
                    + "Write the whole file instead (append false) or use another name.")
        }
        if arguments.append == true, let handle = try? FileHandle(forWritingTo: url) {
            defer { try? handle.close() }
            try handle.seekToEnd()
            try handle.write(contentsOf: bytes)
        } else {
            try bytes.write(to: url, options: .atomic)
        }
        return ToolOutput("\(arguments.append == true ? "Appended" : "Wrote") \(bytes.count) bytes to \(relative).")
    }
}
