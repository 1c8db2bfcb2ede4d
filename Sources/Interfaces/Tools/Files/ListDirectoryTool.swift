public import AgentCore
import Foundation

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
    public var description: String {
        "List a folder of the run (default: the run folder) or, read-only, of a task data root (give its absolute "
            + "path; the task brief lists them); folders end with '/'."
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "path": .string(description: "Folder relative to the run folder (default '.'), or a data root's path")
            ])
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
            let hidden = jail.hidden.contains { $0.path == url.appendingPathComponent(name).standardizedFileURL.path }
            return "\(name) (\(size) bytes\(hidden ? "; the benchmark: not readable" : ""))"
        }
        if lines.isEmpty { return ToolOutput("(empty)") }
        let more = names.count > maxEntries ? "\n[\(names.count - maxEntries) more entries not shown]" : ""
        return ToolOutput(lines.joined(separator: "\n") + more)
    }
}
