import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Testing
import AutoTrainess
import Yams

/// The example task files shipped in `tasks/` decode into ``TaskSpec`` (decoding only: their paths are
/// placeholders, so `TaskSpec.load`, which checks that paths exist, is not used).
@Suite("Task files")
struct TaskFilesTests {
    static let tasksDirectory = URL(fileURLWithPath: #filePath)
        .deletingLastPathComponent().deletingLastPathComponent().deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("tasks")

    static func decode(_ name: String) throws -> TaskSpec {
        let text = try String(contentsOf: tasksDirectory.appendingPathComponent(name), encoding: .utf8)
        return try YAMLDecoder().decode(TaskSpec.self, from: text)
    }

    @Test func everyShippedTaskFileDecodes() throws {
        let names = try FileManager.default.contentsOfDirectory(atPath: Self.tasksDirectory.path)
            .filter { $0.hasSuffix(".yaml") }.sorted()
        #expect(names == ["gsm8k.yaml", "local-benchmark.yaml", "posttrainbench.yaml"])
        for name in names where name != "posttrainbench.yaml" {
            let spec = try Self.decode(name)
            #expect(try spec.budgetSeconds().total > 0, "\(name): budget")
        }
    }

    @Test func gsm8kIsAPostTrainBenchTask() throws {
        let spec = try Self.decode("gsm8k.yaml")
        #expect(spec.benchmark.evaluator == .posttrainbench)
        #expect(spec.benchmark.directory != nil)
        #expect(spec.template == "qwen3")
        #expect(try spec.budgetSeconds().total == 36_000)
    }

    @Test func posttrainbenchIsATaskFolderKind() throws {
        let text = try String(
            contentsOf: Self.tasksDirectory.appendingPathComponent("posttrainbench.yaml"), encoding: .utf8)
        #expect(PostTrainBenchTaskFile.matches(text))
        let file = try PostTrainBenchTaskFile.decode(text, path: "posttrainbench.yaml", folder: Self.tasksDirectory)
        #expect(file.rules == .v1_1 && file.hours == 10 && file.limit == 200)
        #expect(file.task == NSString(string: "~/task").expandingTildeInPath)
    }

    @Test func localBenchmarkCarriesItsRecipe() throws {
        let spec = try Self.decode("local-benchmark.yaml")
        #expect(spec.benchmark.evaluator == .local)
        #expect(spec.benchmark.file != nil && spec.benchmark.maxNewTokens == 16)
        let recipe = try #require(spec.recipe)
        #expect(recipe.datasetName == "unit_conversion")
        #expect(recipe.mapping.instruction == "{question}" && recipe.mapping.output == "{answer}")
        #expect(recipe.hyperparameters["learning_rate"]?.doubleValue == 2e-4)
        #expect(recipe.hyperparameters["lora_rank"]?.intValue == 8)
        #expect(recipe.evaluationLimit == 200)
    }
}
