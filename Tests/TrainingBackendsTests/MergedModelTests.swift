import Foundation
import Testing

@testable import TrainingBackends

@Suite("Merged model folder")
struct MergedModelTests {
    static func write(_ names: [String], in folder: URL) throws {
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        for name in names {
            try Data("{}".utf8).write(to: folder.appendingPathComponent(name))
        }
    }

    @Test func processorFilesOfAMultimodalBaseAreCopiedWhenExportDidNotWriteThem() throws {
        let work = try Fixtures.temporaryDirectory("merged")
        defer { try? FileManager.default.removeItem(at: work) }
        let base = work.appendingPathComponent("base")
        let merged = work.appendingPathComponent("merged_model")
        try Self.write(["config.json", "preprocessor_config.json", "processor_config.json"], in: base)
        try Self.write(
            ["config.json", "model.safetensors", "tokenizer_config.json", "processor_config.json"], in: merged)
        try Data(#"{"kept": true}"#.utf8).write(to: merged.appendingPathComponent("processor_config.json"))
        try MergedModel.finish(merged, baseModel: base, logTail: [])
        #expect(FileManager.default.fileExists(atPath: merged.appendingPathComponent("preprocessor_config.json").path))
        let kept = try String(contentsOf: merged.appendingPathComponent("processor_config.json"), encoding: .utf8)
        #expect(kept.contains("kept"))
    }

    @Test func aFolderWithoutWeightsFailsNamingWhatIsMissing() throws {
        let work = try Fixtures.temporaryDirectory("merged")
        defer { try? FileManager.default.removeItem(at: work) }
        let merged = work.appendingPathComponent("merged_model")
        try Self.write(["config.json"], in: merged)
        let failure = try #require(throws: TrainingFailure.self) {
            try MergedModel.finish(merged, baseModel: work, logTail: ["done"])
        }
        #expect(failure.cause == .missingOutputs)
        #expect(failure.message.contains("weights, tokenizer_config.json"))
    }
}
