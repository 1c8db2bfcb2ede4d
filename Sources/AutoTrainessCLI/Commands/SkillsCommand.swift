import AgentCore
import ArgumentParser
import Foundation
import Interfaces

/// `autotrainess skills`: the markdown skills the agent reads.
struct SkillsCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "skills",
        abstract: "Work with the agent's markdown skills.",
        subcommands: [Export.self]
    )

    /// `autotrainess skills export --harness codex|claude|opencode DIR`.
    struct Export: AsyncParsableCommand {
        static let configuration = CommandConfiguration(
            abstract: "Write the skills in the layout a coding-agent harness reads (exit 2 on an unknown harness).")

        @Option(help: "codex (.agents/skills), claude (.claude/skills) or opencode (.opencode/skills).")
        var harness: String

        @Option(help: "Folder to read skills from (default: the package's Skills/).")
        var skillsDir: String?

        @Argument(help: "Project folder to write into.")
        var directory: String

        func run() async throws {
            guard let target = SkillHarness(rawValue: harness) else {
                FileHandle.standardError.write(Data("\(SkillError.unknownHarness(harness))\n".utf8))
                throw ExitCode(2)
            }
            do {
                let library = try SkillLibrary(
                    directory: skillsDir.map { URL(fileURLWithPath: $0) } ?? PackageResources.skills)
                let project = URL(fileURLWithPath: directory)
                let files = try library.export(to: target, project: project)
                print(
                    "Wrote \(library.skills.count) skills (\(files.count) files) to "
                        + target.skillsDirectory(in: project).path
                )
            } catch {
                FileHandle.standardError.write(Data("\(error)\n".utf8))
                throw ExitCode(2)
            }
        }
    }
}
