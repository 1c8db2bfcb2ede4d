import Foundation
import Testing

@testable import TrainingBackends

@Suite("Template compatibility")
struct TemplateCompatibilityTests {
    static func model(chatTemplate: String?) throws -> URL {
        let folder = try Fixtures.temporaryDirectory("model")
        var config: [String: String] = ["tokenizer_class": "PreTrainedTokenizerFast"]
        config["chat_template"] = chatTemplate
        try JSONSerialization.data(withJSONObject: config).write(
            to: folder.appendingPathComponent("tokenizer_config.json"))
        return folder
    }

    @Test func aChatMLModelAcceptsQwenAndRejectsLlama3() throws {
        let model = try Self.model(chatTemplate: "{{ '<|im_start|>' + message['role'] }}")
        defer { try? FileManager.default.removeItem(at: model) }
        try TemplateCompatibility.check(template: "qwen", modelDirectory: model)
        try TemplateCompatibility.check(template: "qwen3_nothink", modelDirectory: model)
        let failure = try #require(throws: TrainingFailure.self) {
            try TemplateCompatibility.check(template: "llama3", modelDirectory: model)
        }
        #expect(failure.cause == .templateMismatch)
        #expect(failure.message.contains("<|im_start|>"))
        #expect(failure.fix.contains("'qwen'"))
    }

    @Test func aGemmaModelRejectsQwen() throws {
        let model = try Self.model(chatTemplate: "{{ '<start_of_turn>user' }}")
        defer { try? FileManager.default.removeItem(at: model) }
        try TemplateCompatibility.check(template: "gemma", modelDirectory: model)
        #expect(throws: TrainingFailure.self) {
            try TemplateCompatibility.check(template: "qwen", modelDirectory: model)
        }
    }

    @Test func aMultimodalTemplateOnATextOnlyModelIsCaughtBeforeLaunch() throws {
        // Found running the demo on Gemma 3 270M: LlamaFactory's `gemma3` template loads an image processor and
        // fails after loading the data with "Processor was not found".
        let model = try Self.model(chatTemplate: "{{ '<start_of_turn>user' }}")
        defer { try? FileManager.default.removeItem(at: model) }
        let failure = try #require(throws: TrainingFailure.self) {
            try TemplateCompatibility.check(template: "gemma3", modelDirectory: model)
        }
        #expect(failure.cause == .templateMismatch && failure.fix.contains("'gemma'"))
        try Data("{}".utf8).write(to: model.appendingPathComponent("preprocessor_config.json"))
        try TemplateCompatibility.check(template: "gemma3", modelDirectory: model)
    }

    @Test func aBaseModelWithoutChatTemplateAndUnknownFamiliesPass() throws {
        let model = try Self.model(chatTemplate: nil)
        defer { try? FileManager.default.removeItem(at: model) }
        try TemplateCompatibility.check(template: "llama3", modelDirectory: model)
        let chatml = try Self.model(chatTemplate: "<|im_start|>")
        defer { try? FileManager.default.removeItem(at: chatml) }
        try TemplateCompatibility.check(template: "alpaca", modelDirectory: chatml)
    }
}
