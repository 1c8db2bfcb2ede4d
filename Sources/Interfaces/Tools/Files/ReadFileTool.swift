public import AgentCore
import Foundation

/// `read_file`: reads a text file inside the run folder (or a task data root), a window at a time.
public struct ReadFileTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        /// A path relative to the run folder, a file name in a data root, or an absolute path in either.
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
        "Read a text file in the run folder, or read-only in one of the task's data roots (a relative name is looked "
            + "up in the run folder, then in each data root). The benchmark file is not readable: data inspect shows "
            + "its prompts. Long files come back a window at a time: pass offset to read on."
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "path": .string(description: "Relative to the run folder or a data root, or absolute in either"),
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
