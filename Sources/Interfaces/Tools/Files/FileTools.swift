import AgentCore
import Foundation

/// `read_file`: reads a text file inside the run folder (or a task data root), a window at a time.
public struct ReadFileTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        /// A path relative to the run folder.
        public var path: String
        /// The first character to return.
        public var offset: Int?
        /// How many characters to return.
        public var length: Int?
    }

    /// The folder paths must stay in.
    public let jail: PathJail
    /// The most characters one call returns.
    public var maxLength: Int

    public init(jail: PathJail, maxLength: Int = 8000) {
        self.jail = jail
        self.maxLength = maxLength
    }

    public var name: String { "read_file" }
    public var description: String {
        "Read a text file in the run folder (paths relative to it). Long files come back a window at a time: "
            + "pass offset to read on."
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "path": .string(description: "File path relative to the run folder"),
                "offset": .integer(description: "First character to return (default 0)", minimum: 0),
                "length": .integer(description: "How many characters (default and maximum 8000)", minimum: 1),
            ],
            required: ["path"])
    }

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        let url: URL
        do { url = try jail.resolveForReading(arguments.path) } catch { return .error("\(error)") }
        var isDirectory: ObjCBool = false
        guard FileManager.default.fileExists(atPath: url.path, isDirectory: &isDirectory) else {
            return .error("No file '\(arguments.path)'. List the folder with list_dir.")
        }
        if isDirectory.boolValue { return .error("'\(arguments.path)' is a folder: use list_dir.") }
        guard let data = FileManager.default.contents(atPath: url.path) else {
            return .error("'\(arguments.path)' cannot be read.")
        }
        if data.prefix(4096).contains(0) { return .error("'\(arguments.path)' is binary (\(data.count) bytes).") }
        let text = String(decoding: data, as: UTF8.self)
        let offset = min(arguments.offset ?? 0, text.count)
        let length = min(arguments.length ?? maxLength, maxLength)
        let start = text.index(text.startIndex, offsetBy: offset)
        let end = text.index(start, offsetBy: length, limitedBy: text.endIndex) ?? text.endIndex
        let window = Secrets.redactEnvironmentSecrets(String(text[start..<end]))
        let shownEnd = offset + text.distance(from: start, to: end)
        guard shownEnd < text.count || offset > 0 else { return ToolOutput(window) }
        return ToolOutput(
            window + "\n[characters \(offset)..<\(shownEnd) of \(text.count)"
                + (shownEnd < text.count ? "; read on with offset \(shownEnd)]" : "]"))
    }
}

/// `write_file`: writes a text file inside the run folder. The store, `run.json` and `final_model/` are off limits.
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
            + "run.json, events.jsonl and final_model/ cannot be written."
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "path": .string(description: "File path relative to the run folder"),
                "content": .string(), "append": .boolean(description: "Append instead of replacing (default false)"),
            ],
            required: ["path", "content"])
    }

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        let url: URL
        do { url = try jail.resolve(arguments.path) } catch { return .error("\(error)") }
        let relative = url.path == jail.root.path ? "" : String(url.path.dropFirst(jail.root.path.count + 1))
        let first = relative.split(separator: "/").first.map(String.init) ?? ""
        if ["run.json", "events.jsonl", "final_model"].contains(first) {
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

/// `list_dir`: lists a folder inside the run folder (or a task data root) with sizes.
public struct ListDirectoryTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        /// A folder relative to the run folder; the run folder when absent.
        public var path: String?
    }

    /// The folder paths must stay in.
    public let jail: PathJail
    /// The most entries one call lists.
    public var maxEntries: Int

    public init(jail: PathJail, maxEntries: Int = 200) {
        self.jail = jail
        self.maxEntries = maxEntries
    }

    public var name: String { "list_dir" }
    public var description: String { "List a folder of the run (default: the run folder); folders end with '/'." }

    public var parameters: JSONSchema {
        .object(properties: ["path": .string(description: "Folder relative to the run folder (default '.')")])
    }

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        let url: URL
        do { url = try jail.resolveForReading(arguments.path ?? ".") } catch { return .error("\(error)") }
        let manager = FileManager.default
        guard let names = try? manager.contentsOfDirectory(atPath: url.path) else {
            return .error("No folder '\(arguments.path ?? ".")'.")
        }
        let lines = names.sorted().prefix(maxEntries).map { name -> String in
            let path = url.appendingPathComponent(name).path
            var isDirectory: ObjCBool = false
            _ = manager.fileExists(atPath: path, isDirectory: &isDirectory)
            if isDirectory.boolValue { return name + "/" }
            let size = (try? manager.attributesOfItem(atPath: path)[.size] as? Int) ?? 0
            return "\(name) (\(size) bytes)"
        }
        if lines.isEmpty { return ToolOutput("(empty)") }
        let more = names.count > maxEntries ? "\n[\(names.count - maxEntries) more entries not shown]" : ""
        return ToolOutput(lines.joined(separator: "\n") + more)
    }
}
