public import Foundation

/// One skill: a folder with a `SKILL.md` (frontmatter `name` and `description`) and optional stage files.
public struct Skill: Sendable, Hashable {
    /// The skill's name, equal to its folder's name.
    public var name: String
    /// One line: when to open the skill.
    public var description: String
    /// The skill folder.
    public var directory: URL
    /// The other markdown files of the skill (e.g. `selection`, `construction`), without `.md`, sorted.
    public var stages: [String]
}
