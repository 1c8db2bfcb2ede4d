import AgentCore
import AgentTesting
import Evaluation
import Foundation
import Interfaces
import Testing

@testable import Workflows

@Suite("CheckpointRegistry")
struct CheckpointRegistryTests {
    private let directory: TemporaryDirectory
    private let base: URL
    private let run: URL

    init() throws {
        directory = try TemporaryDirectory()
        base = try directory.makeModel("models/base", marker: "base weights")
        run = directory.path("runs/r1")
    }

    private func openRegistry() throws -> CheckpointRegistry {
        try CheckpointRegistry(runDirectory: run, baseModel: base, resamples: 1000, seed: 1)
    }

    private func leftovers() throws -> [String] {
        try FileManager.default.contentsOfDirectory(atPath: run.path).filter { $0.hasPrefix(".final_model") }
    }

    @Test func beforeAnyPromotionFinalModelHoldsTheBaseModel() async throws {
        let registry = try openRegistry()
        #expect(try modelMarker(registry.finalModelURL) == "base weights")
        try ModelFolder.validate(registry.finalModelURL)
        #expect(await registry.best.id == CheckpointRegistry.baseCandidateID)
        #expect(FileManager.default.fileExists(atPath: run.appendingPathComponent("checkpoints/registry.json").path))
    }

    @Test func noisyNonImprovementIsNotPromoted() async throws {
        let registry = try openRegistry()
        try await registry.attach(makeReport("baseline", scores(correct: 20, of: 50)), to: "base")
        let model = try directory.makeModel("runs/r1/checkpoints/it1", marker: "it1 weights")
        try await registry.register(
            id: "it1", modelPath: model.path, parent: "base", datasets: ["d1"], configHash: "c1")
        try await registry.attach(makeReport("it1", scores(correct: 22, of: 50)), to: "it1")

        let decision = try await registry.promote("it1")
        #expect(!decision.promoted)
        #expect(decision.comparison?.isImprovement == false)
        #expect(decision.reason.contains("may be noise"))
        #expect(await registry.best.id == "base")
        #expect(try modelMarker(registry.finalModelURL) == "base weights")
        #expect(await registry.decisions == [decision])
    }

    @Test func realImprovementReplacesFinalModelAtomically() async throws {
        let registry = try openRegistry()
        try await registry.attach(makeReport("baseline", scores(correct: 10, of: 60)), to: "base")
        let model = try directory.makeModel("runs/r1/checkpoints/it1", marker: "it1 weights")
        try await registry.register(
            id: "it1", modelPath: model.path, parent: "base", datasets: ["d1"], configHash: "c1")
        try await registry.attach(makeReport("it1", scores(correct: 40, of: 60)), to: "it1")

        let decision = try await registry.promote("it1")
        #expect(decision.promoted)
        #expect(try modelMarker(registry.finalModelURL) == "it1 weights")
        try ModelFolder.validate(registry.finalModelURL)
        #expect(try leftovers().isEmpty)
        #expect(try await openRegistry().best.id == "it1")

        let child = try directory.makeModel("runs/r1/checkpoints/it2", marker: "it2 weights")
        try await registry.register(id: "it2", modelPath: child.path, parent: "it1", datasets: ["d2"], configHash: "c2")
        try await registry.attach(makeReport("it2", scores(correct: 30, of: 60)), to: "it2")
        #expect(try await registry.promote("it2").promoted == false)
        #expect(try modelMarker(registry.finalModelURL) == "it1 weights")
    }

    @Test func unloadableCandidateLeavesFinalModelUntouched() async throws {
        let registry = try openRegistry()
        try await registry.attach(makeReport("baseline", scores(correct: 0, of: 40)), to: "base")
        let adapterOnly = directory.path("runs/r1/checkpoints/adapter")
        try directory.write("{}", to: "runs/r1/checkpoints/adapter/adapter_config.json")
        try await registry.register(id: "a1", modelPath: adapterOnly.path, parent: "base", datasets: [], configHash: "")
        try await registry.attach(makeReport("a1", scores(correct: 40, of: 40)), to: "a1")

        await #expect(throws: RegistryError.self) { try await registry.promote("a1") }
        #expect(try modelMarker(registry.finalModelURL) == "base weights")
        #expect(await registry.best.id == "base")
        #expect(try leftovers().isEmpty)
    }

    @Test func promotionInterruptedBetweenRenamesIsRolledBackOnOpen() async throws {
        let registry = try openRegistry()
        try await registry.attach(makeReport("baseline", scores(correct: 10, of: 60)), to: "base")
        let model = try directory.makeModel("runs/r1/checkpoints/it1", marker: "it1 weights")
        try await registry.register(id: "it1", modelPath: model.path, parent: "base", datasets: [], configHash: "")

        // The state a crash leaves after `final_model` was renamed away and before the copy was renamed in.
        var file = try JSONDecoder.iso8601.decode(RegistryFile.self, from: Data(contentsOf: registry.registryURL))
        file.pendingPromotion = "it1"
        try JSONEncoder.iso8601.encode(file).write(to: registry.registryURL)
        let manager = FileManager.default
        try manager.copyItem(at: model, to: run.appendingPathComponent(CheckpointRegistry.incomingName))
        try manager.moveItem(
            at: registry.finalModelURL, to: run.appendingPathComponent(CheckpointRegistry.previousName))

        let reopened = try openRegistry()
        #expect(try modelMarker(reopened.finalModelURL) == "base weights")
        #expect(await reopened.best.id == "base")
        #expect(try leftovers().isEmpty)
    }

    @Test func promotionInterruptedAfterTheSwapIsCompletedOnOpen() async throws {
        let registry = try openRegistry()
        let model = try directory.makeModel("runs/r1/checkpoints/it1", marker: "it1 weights")
        try await registry.register(id: "it1", modelPath: model.path, parent: "base", datasets: [], configHash: "")
        var file = try JSONDecoder.iso8601.decode(RegistryFile.self, from: Data(contentsOf: registry.registryURL))
        file.pendingPromotion = "it1"
        try JSONEncoder.iso8601.encode(file).write(to: registry.registryURL)
        let manager = FileManager.default
        try manager.moveItem(
            at: registry.finalModelURL, to: run.appendingPathComponent(CheckpointRegistry.previousName))
        try manager.copyItem(at: model, to: registry.finalModelURL)

        let reopened = try openRegistry()
        #expect(try modelMarker(reopened.finalModelURL) == "it1 weights")
        #expect(await reopened.best.id == "it1")
        #expect(try leftovers().isEmpty)
    }

    @Test func trainingOnlyFromTheBaseModelOrARegisteredDescendant() async throws {
        let registry = try openRegistry()
        await #expect(throws: RegistryError.lineageViolation(parent: "ghost")) {
            try await registry.register(id: "x", modelPath: "/tmp/x", parent: "ghost", datasets: [], configHash: "")
        }
        let model = try directory.makeModel("runs/r1/checkpoints/it1", marker: "it1")
        let candidate = try await registry.register(
            id: "it1", modelPath: model.path, parent: "base", datasets: ["d"], configHash: "h")
        #expect(
            candidate.lineage
                == CheckpointLineage(parent: "base", baseModel: base.path, datasets: ["d"], configHash: "h"))
        #expect(await registry.allowsTraining(from: base.path))
        #expect(await registry.allowsTraining(from: model.path + "/"))
        #expect(await registry.resolve("it1")?.id == "it1")
        #expect(await registry.resolve("checkpoints/it1", relativeTo: run)?.id == "it1")
        #expect(await registry.resolve("base")?.id == "base")
        #expect(await !registry.allowsTraining(from: "/models/downloaded-elsewhere"))

        let rule = registry.registeredModelRule(tools: ["train"], argument: "model_path")
        let foreign = RuleContext(
            toolName: "train", rawArguments: #"{"model_path": "/models/downloaded-elsewhere"}"#, progress: .init())
        guard case .deny(let reason) = await rule.review(foreign) else {
            Issue.record("training from an unregistered model must be denied")
            return
        }
        #expect(reason.contains("neither the task's base model nor a registered checkpoint"))
        let registered = RuleContext(
            toolName: "train", rawArguments: "{\"model_path\": \"\(model.path)\"}", progress: .init())
        #expect(await rule.review(registered) == .allow)
    }

    @Test func registryOfAnotherBaseModelIsRefused() throws {
        _ = try openRegistry()
        let other = try directory.makeModel("models/other", marker: "other")
        #expect(throws: RegistryError.self) { try CheckpointRegistry(runDirectory: run, baseModel: other) }
    }
}

extension JSONDecoder {
    static var iso8601: JSONDecoder {
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        return decoder
    }
}

extension JSONEncoder {
    static var iso8601: JSONEncoder {
        let encoder = JSONEncoder()
        encoder.dateEncodingStrategy = .iso8601
        return encoder
    }
}
