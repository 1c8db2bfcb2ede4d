import AgentCore
import Foundation
import Interfaces
import Testing

@Suite("Skills")
struct SkillsTests {
    @Test("the package's skills load with their stage files and build the index")
    func load() throws {
        let library = try SkillLibrary()
        #expect(library.skills.map(\.name) == ["data", "eval", "log", "plan", "train"])
        #expect(library.skills.first { $0.name == "data" }?.stages == ["construction", "selection", "validation"])
        #expect(library.skills.first { $0.name == "train" }?.stages == ["llamafactory", "preference", "sft"])
        #expect(library.skills.allSatisfy { !$0.description.isEmpty && !$0.description.contains("\n") })
        #expect(library.index.contains("- data: "))
        #expect(library.index.contains("[stages: construction, selection, validation]"))
    }

    @Test("read_skill opens a skill or a stage, and names the choices on a bad name")
    func readSkill() async throws {
        let tool = AnyTool(ReadSkillTool(library: try SkillLibrary()))
        let context = ToolContext(callID: "1")
        let skill = try await tool.call(arguments: #"{"name": "plan"}"#, in: context)
        #expect(skill.content.hasPrefix("---\nname: plan\n"))
        let stage = try await tool.call(arguments: #"{"name": "data", "stage": "validation"}"#, in: context)
        #expect(stage.content.hasPrefix("# Validation"))
        let badStage = try await tool.call(arguments: #"{"name": "data", "stage": "sft"}"#, in: context)
        #expect(badStage.isError)
        #expect(badStage.content.contains("construction, selection, validation"))
        let badName = try await tool.call(arguments: #"{"name": "cooking"}"#, in: context)
        #expect(badName.isError)
        #expect(try await tool.call(arguments: #"{}"#, in: context).isError)
    }

    @Test("export writes each harness's layout and reads back identical", arguments: SkillHarness.allCases)
    func exportRoundTrip(harness: SkillHarness) throws {
        let library = try SkillLibrary()
        let project = FileManager.default.temporaryDirectory.appendingPathComponent("export-\(UUID().uuidString)")
        let files = try library.export(to: harness, project: project)
        let expectedFolder =
            switch harness {
            case .codex: ".agents/skills"
            case .claude: ".claude/skills"
            case .opencode: ".opencode/skills"
            }
        #expect(
            FileManager.default.fileExists(
                atPath: project.appendingPathComponent("\(expectedFolder)/plan/SKILL.md").path))
        #expect(files.count == library.skills.reduce(0) { $0 + 1 + $1.stages.count })
        let exported = try SkillLibrary(directory: harness.skillsDirectory(in: project))
        #expect(exported.skills.map(\.name) == library.skills.map(\.name))
        #expect(exported.skills.map(\.description) == library.skills.map(\.description))
        #expect(exported.index == library.index)
        for skill in library.skills {
            #expect(try exported.read(skill.name) == library.read(skill.name))
            for stage in skill.stages {
                #expect(try exported.read(skill.name, stage: stage) == library.read(skill.name, stage: stage))
            }
        }
        #expect(
            try SkillLibrary(directory: harness.skillsDirectory(in: project)).export(to: harness, project: project)
                .count == files.count)
    }

    @Test("unknown harnesses and broken skill folders are refused with what to fix")
    func refusals() throws {
        #expect(SkillHarness(rawValue: "vim") == nil)
        #expect(SkillError.unknownHarness("vim").description.contains("codex, claude, opencode"))
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("skills-\(UUID().uuidString)")
        #expect(throws: SkillError.noSkills(directory: folder.path)) { try SkillLibrary(directory: folder) }
        let skill = folder.appendingPathComponent("alpha")
        try FileManager.default.createDirectory(at: skill, withIntermediateDirectories: true)
        try Data("# no frontmatter\n".utf8).write(to: skill.appendingPathComponent("SKILL.md"))
        #expect(throws: SkillError.self) { try SkillLibrary(directory: folder) }
        try Data("---\nname: beta\ndescription: x\n---\n".utf8).write(to: skill.appendingPathComponent("SKILL.md"))
        #expect(
            throws: SkillError.invalidFrontmatter(
                file: skill.appendingPathComponent("SKILL.md").path, reason: "name 'beta' differs from its folder")
        ) {
            try SkillLibrary(directory: folder)
        }
        try Data("---\nname: alpha\ndescription: \"quoted: fine\"\n---\nbody\n".utf8)
            .write(to: skill.appendingPathComponent("SKILL.md"))
        #expect(try SkillLibrary(directory: folder).skills.first?.description == "quoted: fine")
    }
}
