public import AgentCore
import Foundation

/// `read_skill`: opens a skill, or one of its stage files, by name.
public struct ReadSkillTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        public var name: String
        /// A stage file name, without `.md`.
        public var stage: String?
    }

    /// The skills the tool opens.
    public let library: SkillLibrary

    /// Creates the tool over `library`.
    public init(library: SkillLibrary) { self.library = library }

    public var name: String { "read_skill" }
    public var description: String {
        "Open a skill from the index (e.g. 'data'), or one of its stage files (e.g. name 'data', stage 'validation')."
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "name": .string(allowed: library.skills.map(\.name)),
                "stage": .string(description: "A stage file listed in the index"),
            ],
            required: ["name"])
    }

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        do {
            return ToolOutput(try library.read(arguments.name, stage: arguments.stage))
        } catch let error as SkillError {
            return .error(error.description)
        }
    }
}
