import AgentCore
import AgentTesting
import DataEngine
import Foundation
import Interfaces
import Testing
import TrainingBackends
import Workflows

@testable import AutoTrainess

/// The first messages of every stage of the demo task, pinned as golden files and reviewed like code. Regenerate
/// them with `AUTOTRAINESS_UPDATE_GOLDEN=1 swift test --filter TaskBriefTests` and read the diff.
@Suite struct TaskBriefTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures")

    /// The demo task (quick settings) over a stand-in of the demo's base model (its real config.json and chat
    /// template, no weights), on a fixed 2-core machine with no measured job.
    static func demoBrief(in directory: TemporaryDirectory) throws -> (TaskSpec, TaskBrief) {
        let base = directory.path("base")
        try FileManager.default.createDirectory(at: base, withIntermediateDirectories: true)
        try FileManager.default.copyItem(
            at: fixtures.appendingPathComponent("demo-base-config.json"), to: base.appendingPathComponent("config.json"))
        try Data("{% for message in messages %}{{ message.content }}{% endfor %}".utf8)
            .write(to: base.appendingPathComponent("chat_template.jinja"))
        try Data(#"{"model_max_length": 8192}"#.utf8).write(to: base.appendingPathComponent("tokenizer_config.json"))
        let demo = DemoRun(settings: .quick, runsDirectory: directory.path("runs"), launcher: RunLauncher(progress: { _ in }))
        let (spec, _) = try demo.writeTask(baseModel: base)
        let brief = spec.brief(
            hardware: Hardware(cpuCores: 2), measured: [], skills: try SkillLibrary(),
            hidden: [URL(fileURLWithPath: spec.benchmark.file!)])
        return (spec, brief)
    }

    /// `text` with the test's temporary folder replaced by a placeholder.
    static func stable(_ text: String, _ directory: TemporaryDirectory) -> String {
        text.replacingOccurrences(of: directory.url.standardizedFileURL.path, with: "<tmp>")
            .replacingOccurrences(of: directory.url.path, with: "<tmp>")
    }

    @Test func theFirstPromptOfEveryStageMatchesItsGoldenFile() throws {
        let directory = try TemporaryDirectory()
        let (spec, brief) = try Self.demoBrief(in: directory)
        let workflow = Workflow.autoTrainess(
            AutoTrainessWorkflowOptions(commonTools: RunLauncher.commonTools, maxIterations: spec.maxIterations))
        let state = RunState(workspace: Workspace(root: directory.path("runs/demo-run")))
        let update = ProcessInfo.processInfo.environment["AUTOTRAINESS_UPDATE_GOLDEN"] == "1"
        for stage in workflow.stages {
            let messages = WorkflowRunner.sessionMessages(task: brief.rendered, state: state, stage: stage)
            let text = Self.stable(
                "=== system message ===\n\(messages.system)\n\n=== first user message ===\n\(messages.user)\n", directory)
            let golden = Self.fixtures.appendingPathComponent("golden/demo-stage-\(stage.name).txt")
            if update { try Data(text.utf8).write(to: golden) }
            let expected = (try? String(contentsOf: golden, encoding: .utf8)) ?? ""
            #expect(text == expected, "stage \(stage.name) differs from \(golden.lastPathComponent); first difference:\n\(Self.firstDifference(text, expected))")
        }
    }

    @Test func theBriefNamesWhatAModelCannotGuessAndNeverTheAnswers() throws {
        let directory = try TemporaryDirectory()
        let (spec, brief) = try Self.demoBrief(in: directory)
        let text = brief.rendered
        #expect(text.contains(spec.taskDescription))
        #expect(text.contains("LlamaForCausalLM, 134M parameters"))
        #expect(text.contains("chat template: smollm2 (the tokenizer ships one"))
        #expect(text.contains("sample floor: 32"))
        #expect(text.contains("<|im_start|>user\nWrite this number in digits, with no other text:"))
        #expect(text.contains("training.json") && text.contains("fields: input, instruction, output"))
        #expect(text.contains("test.jsonl") && text.contains("the benchmark: not readable"))
        #expect(text.contains("CPU only, 2 cores"))
        #expect(text.contains("iterations: at most 1"))
        #expect(text.contains("- plan:") || text.contains("Skills"))
        // No benchmark answer appears: the test split's targets are digits the prompts never show.
        let test = try String(contentsOf: URL(fileURLWithPath: spec.benchmark.file!), encoding: .utf8)
        let targets = test.split(separator: "\n").compactMap { try? JSONValue(parsing: String($0))["target"]?.stringValue }
        let prompts = brief.evaluation.prompts.joined(separator: "\n")
        for target in targets.prefix(3) { #expect(!prompts.contains("\n\(target)")) }
        #expect(text.count < 20_000)
        print("TaskBriefTests: demo brief: \(text.count) characters, about \(EstimatingTokenCounter().tokenCount(of: text)) tokens")
    }

    @Test func theBriefStaysBoundedWhateverTheDataRootsHold() throws {
        let directory = try TemporaryDirectory()
        let (spec, _) = try Self.demoBrief(in: directory)
        var big = spec
        let root = directory.path("many")
        for index in 0..<50 {
            try directory.write(
                (0..<200).map { #"{"question": "q\#($0) \#(String(repeating: "word ", count: 80))", "answer": "\#($0)"}"# }
                    .joined(separator: "\n"), to: "many/part-\(String(format: "%02d", index)).jsonl")
        }
        big.dataRoots = [root.path]
        let text = big.brief(hardware: Hardware(cpuCores: 2), skills: try SkillLibrary()).rendered
        #expect(text.contains("… and 38 more files"))
        #expect(text.count < 20_000, "\(text.count) characters")
        let tokens = EstimatingTokenCounter().tokenCount(of: text)
        #expect(tokens < 6_000, "\(tokens) tokens")
        print("TaskBriefTests: brief with 50 data files: \(text.count) characters, about \(tokens) tokens")
    }

    static func firstDifference(_ a: String, _ b: String) -> String {
        let lines = (a.split(separator: "\n", omittingEmptySubsequences: false), b.split(separator: "\n", omittingEmptySubsequences: false))
        for (index, pair) in zip(lines.0, lines.1).enumerated() where pair.0 != pair.1 {
            return "line \(index + 1):\n  now:    \(pair.0)\n  golden: \(pair.1)"
        }
        return "lengths \(lines.0.count) vs \(lines.1.count) lines"
    }
}
