public import AgentCore
public import Foundation

/// The skills of a folder: an index for the agent's instructions, and each skill or stage file on demand.
public struct SkillLibrary: Sendable {
    /// The folder the skills were loaded from.
    public let directory: URL
    /// The skills, sorted by name.
    public let skills: [Skill]

    /// Loads every `<name>/SKILL.md` under `directory` (default: the package's `Skills/`).
    /// - Throws: ``SkillError`` when there are none or a frontmatter is invalid.
    public init(directory: URL = PackageResources.skills) throws {
        self.directory = directory
        let manager = FileManager.default
        let names = (try? manager.contentsOfDirectory(atPath: directory.path)) ?? []
        var skills: [Skill] = []
        for folder in names.sorted() {
            let skillDirectory = directory.appendingPathComponent(folder, isDirectory: true)
            let file = skillDirectory.appendingPathComponent("SKILL.md")
            guard let data = manager.contents(atPath: file.path) else { continue }
            let fields = try Self.frontmatter(String(decoding: data, as: UTF8.self), file: file.path)
            guard let name = fields["name"], !name.isEmpty else {
                throw SkillError.invalidFrontmatter(file: file.path, reason: "no name")
            }
            guard name == folder else {
                throw SkillError.invalidFrontmatter(file: file.path, reason: "name '\(name)' differs from its folder")
            }
            guard let description = fields["description"], !description.isEmpty else {
                throw SkillError.invalidFrontmatter(file: file.path, reason: "no description")
            }
            let stages = ((try? manager.contentsOfDirectory(atPath: skillDirectory.path)) ?? [])
                .filter { $0.hasSuffix(".md") && $0 != "SKILL.md" }.map { String($0.dropLast(3)) }.sorted()
            skills.append(Skill(name: name, description: description, directory: skillDirectory, stages: stages))
        }
        guard !skills.isEmpty else { throw SkillError.noSkills(directory: directory.path) }
        self.skills = skills
    }

    /// The index the agent sees: one line per skill with its stage files.
    public var index: String {
        var lines = ["Skills (open one with read_skill before the step it covers):"]
        for skill in skills {
            let stages = skill.stages.isEmpty ? "" : " [stages: \(skill.stages.joined(separator: ", "))]"
            lines.append("- \(skill.name): \(skill.description)\(stages)")
        }
        return lines.joined(separator: "\n")
    }

    /// The text of a skill's `SKILL.md`, or of one of its stage files.
    /// - Throws: ``SkillError`` for an unknown skill or stage.
    public func read(_ name: String, stage: String? = nil) throws -> String {
        guard let skill = skills.first(where: { $0.name == name }) else {
            throw SkillError.unknownSkill(name: name, known: skills.map(\.name))
        }
        let file: URL
        if let stage {
            let stem = stage.hasSuffix(".md") ? String(stage.dropLast(3)) : stage
            guard skill.stages.contains(stem) else {
                throw SkillError.unknownStage(skill: name, stage: stage, known: skill.stages)
            }
            file = skill.directory.appendingPathComponent(stem + ".md")
        } else {
            file = skill.directory.appendingPathComponent("SKILL.md")
        }
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw SkillError.io(path: file.path, reason: "cannot read")
        }
        return String(decoding: data, as: UTF8.self)
    }

    /// Writes every skill (with its stage files) into the layout `harness` reads under `project`.
    /// - Returns: the files written.
    /// - Throws: ``SkillError/io(path:reason:)``.
    @discardableResult
    public func export(to harness: SkillHarness, project: URL) throws -> [URL] {
        let manager = FileManager.default
        let root = harness.skillsDirectory(in: project)
        var written: [URL] = []
        for skill in skills {
            let target = root.appendingPathComponent(skill.name, isDirectory: true)
            do {
                try manager.createDirectory(at: target, withIntermediateDirectories: true)
                for file in ["SKILL"] + skill.stages {
                    let source = skill.directory.appendingPathComponent(file + ".md")
                    let destination = target.appendingPathComponent(file + ".md")
                    try manager.contents(atPath: source.path).unwrap(source).write(to: destination, options: .atomic)
                    written.append(destination)
                }
            } catch let error as SkillError {
                throw error
            } catch {
                throw SkillError.io(path: target.path, reason: "\(error)")
            }
        }
        return written
    }

    /// The `key: value` fields of the frontmatter that opens `text`.
    static func frontmatter(_ text: String, file: String) throws -> [String: String] {
        let lines = text.split(separator: "\n", omittingEmptySubsequences: false).map {
            $0.trimmingCharacters(in: .whitespaces)
        }
        guard lines.first == "---", let end = lines.dropFirst().firstIndex(of: "---") else {
            throw SkillError.invalidFrontmatter(file: file, reason: "no frontmatter block")
        }
        var fields: [String: String] = [:]
        for line in lines[1..<end] {
            guard let colon = line.firstIndex(of: ":") else { continue }
            let key = line[..<colon].trimmingCharacters(in: .whitespaces)
            var value = line[line.index(after: colon)...].trimmingCharacters(in: .whitespaces)
            if value.count >= 2, let first = value.first, first == "\"" || first == "'", value.last == first {
                value = String(value.dropFirst().dropLast())
            }
            fields[key] = value
        }
        return fields
    }
}

extension Optional where Wrapped == Data {
    fileprivate func unwrap(_ url: URL) throws -> Data {
        guard let self else { throw SkillError.io(path: url.path, reason: "cannot read") }
        return self
    }
}
