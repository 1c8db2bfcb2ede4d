public import Foundation

/// The coding-agent harnesses skills can be exported to, each with the project folder it reads skills from.
public enum SkillHarness: String, Sendable, Hashable, Codable, CaseIterable {
    /// OpenAI Codex: repository skills in `.agents/skills/<name>/SKILL.md`.
    case codex
    /// Claude Code: project skills in `.claude/skills/<name>/SKILL.md`.
    case claude
    /// OpenCode: project skills in `.opencode/skills/<name>/SKILL.md`.
    case opencode

    /// The folder under a project root that holds one folder per skill.
    public func skillsDirectory(in project: URL) -> URL {
        let relative =
            switch self {
            case .codex: ".agents/skills"
            case .claude: ".claude/skills"
            case .opencode: ".opencode/skills"
            }
        return project.appendingPathComponent(relative, isDirectory: true)
    }
}
