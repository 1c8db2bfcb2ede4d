import Foundation

/// Errors met loading or exporting skills.
public enum SkillError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The folder holds no skill.
    case noSkills(directory: String)
    /// A `SKILL.md` lacks a valid frontmatter.
    case invalidFrontmatter(file: String, reason: String)
    /// No skill has that name.
    case unknownSkill(name: String, known: [String])
    /// The skill has no such stage file.
    case unknownStage(skill: String, stage: String, known: [String])
    /// The harness is not one of ``SkillHarness``.
    case unknownHarness(String)
    /// A file could not be read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .noSkills(let directory):
            "No skills in \(directory): expected folders holding SKILL.md. Pass the Skills/ folder of the package."
        case .invalidFrontmatter(let file, let reason):
            "\(file): \(reason). Start the file with '---', 'name: …', 'description: …', '---'."
        case .unknownSkill(let name, let known):
            "No skill '\(name)'; available: \(known.joined(separator: ", "))."
        case .unknownStage(let skill, let stage, let known):
            "Skill '\(skill)' has no stage '\(stage)'; its stages: "
                + (known.isEmpty ? "none." : known.joined(separator: ", ") + ".")
        case .unknownHarness(let name):
            "Unknown harness '\(name)': use \(SkillHarness.allCases.map(\.rawValue).joined(separator: ", "))."
        case .io(let path, let reason):
            "I/O error on \(path): \(reason)."
        }
    }
}
