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

/// Several candidates evaluated together (one iteration's parallel candidates): at most one is promoted, after
/// Holm's correction for the number of comparisons.
@Suite("CheckpointRegistry: candidates decided together")
struct CheckpointRegistryGroupTests {
    private let directory: TemporaryDirectory
    private let run: URL

    init() throws {
        directory = try TemporaryDirectory()
        run = directory.path("runs/r1")
    }

    /// The base model's 100 item scores: 30 right (items 60–89).
    private static let baseScores: [Double] = (0..<100).map { (60..<90).contains($0) ? 1 : 0 }

    /// A candidate that gets `wins` of the base's wrong items right (items 0…) and `losses` of its right ones wrong.
    private static func candidateScores(wins: Int, losses: Int) -> [Double] {
        var scores = baseScores
        for index in 0..<wins { scores[index] = 1 }
        for index in 60..<(60 + losses) { scores[index] = 0 }
        return scores
    }

    private func registry(candidates: [(id: String, wins: Int, losses: Int)]) async throws -> CheckpointRegistry {
        let base = try directory.makeModel("models/base", marker: "base weights")
        let registry = try CheckpointRegistry(runDirectory: run, baseModel: base, resamples: 2000, seed: 3)
        try await registry.attach(makeReport("baseline", Self.baseScores), to: "base")
        for candidate in candidates {
            let model = try directory.makeModel("runs/r1/checkpoints/\(candidate.id)", marker: "\(candidate.id) weights")
            try await registry.register(
                id: candidate.id, modelPath: model.path, parent: "base", datasets: ["d"], configHash: candidate.id)
            try await registry.attach(
                makeReport(candidate.id, Self.candidateScores(wins: candidate.wins, losses: candidate.losses)),
                to: candidate.id)
        }
        return registry
    }

    @Test func twoMarginalCandidatesAreNotPromotedWhereOneAloneWouldBe() async throws {
        // Each gains 12 items and loses 4 of the base's 30 right ones: alone, its interval lies above zero.
        let registry = try await registry(candidates: [("a", 12, 4), ("b", 12, 4)])
        let decisions = try await registry.promoteBest(of: ["a", "b"])
        let p = try #require(decisions.first?.comparison?.pValue)
        try #require(p > 0.0125 && p <= 0.025, "the planted gain should be significant alone but not after Holm: p = \(p)")
        #expect(decisions.first?.comparison?.isImprovement == true, "alone it would be promoted")
        #expect(decisions.allSatisfy { !$0.promoted }, "\(decisions.map(\.reason))")
        #expect(decisions.allSatisfy { $0.reason.contains("Holm over 2 candidates") })
        #expect(await registry.best.id == "base")
        #expect(try modelMarker(registry.finalModelURL) == "base weights")
    }

    @Test func theClearWinnerIsPromotedAndOnlyIt() async throws {
        let registry = try await registry(candidates: [("weak", 12, 4), ("strong", 25, 0), ("also", 20, 0)])
        let decisions = try await registry.promoteBest(of: ["weak", "strong", "also"])
        #expect(decisions.map(\.promoted) == [false, true, false], "\(decisions.map(\.reason))")
        #expect(decisions[1].reason.hasPrefix("Promoted:") && decisions[1].reason.contains("Holm over 3 candidates"))
        #expect(decisions[2].reason.contains("at most one candidate of a group is promoted"), "\(decisions[2].reason)")
        #expect(await registry.best.id == "strong")
        #expect(try modelMarker(registry.finalModelURL) == "strong weights")
        #expect(await registry.decisions.count == 3)
    }
}
