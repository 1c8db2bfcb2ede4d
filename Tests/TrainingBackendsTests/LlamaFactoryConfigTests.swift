import AgentCore
import Foundation
import Testing

@testable import TrainingBackends

@Suite("LlamaFactory config")
struct LlamaFactoryConfigTests {
    static func job(
        method: TrainingMethod = .sft, finetuning: FinetuningType = .lora, template: String = "qwen",
        hyperparameters: [String: JSONValue] = [:], merged: String? = nil, gpus: [Int] = []
    ) -> TrainingJob {
        TrainingJob(
            id: "job-1", baseModel: URL(fileURLWithPath: "/models/base"), method: method, finetuning: finetuning,
            datasets: ["toy_sft", "extra"], datasetDirectory: URL(fileURLWithPath: "/data/registry"), template: template,
            hyperparameters: hyperparameters, outputDirectory: URL(fileURLWithPath: "/runs/r1/iterations/1/train/output"),
            mergedModelDirectory: merged.map { URL(fileURLWithPath: $0) }, gpus: gpus
        )
    }

    /// Compares with `Fixtures/golden/<name>.json`; a missing golden file is written as `<name>.actual.json`.
    static func expectGolden(_ config: LlamaFactoryConfig, _ name: String) throws {
        let golden = Fixtures.url("golden/\(name).json")
        guard let expected = try? String(contentsOf: golden, encoding: .utf8) else {
            try Data(config.jsonText.utf8).write(to: Fixtures.url("golden/\(name).actual.json"))
            Issue.record("missing golden file \(golden.path); wrote \(name).actual.json to review")
            return
        }
        #expect(config.jsonText == expected, "config differs from \(golden.lastPathComponent)")
    }

    @Test func sftLoRAOnCPU() throws {
        let hyperparameters: [String: JSONValue] = [
            "learning_rate": 1e-4, "max_steps": 50, "lora_rank": 8, "cutoff_len": 256,
            "per_device_train_batch_size": 1, "eval_strategy": "no",
        ]
        let job = Self.job(hyperparameters: hyperparameters, merged: "/runs/r1/iterations/1/merged_model")
        try Self.expectGolden(try LlamaFactoryConfig.training(for: job), "sft_lora_cpu_train")
        try Self.expectGolden(try #require(try LlamaFactoryConfig.export(for: job)), "sft_lora_cpu_export")
    }

    @Test func orpoBecomesDPOWithTheORPOLossAndGPUsGetBF16() throws {
        let job = Self.job(method: .orpo, finetuning: .full, template: "qwen3_nothink", gpus: [0, 1])
        try Self.expectGolden(try LlamaFactoryConfig.training(for: job), "orpo_full_gpu_train")
    }

    @Test func fullFinetuningExportsTheOutputFolderWithoutAnAdapter() throws {
        let job = Self.job(finetuning: .freeze, merged: "/runs/r1/candidate")
        let export = try #require(try LlamaFactoryConfig.export(for: job))
        #expect(export.values["model_name_or_path"] == "/runs/r1/iterations/1/train/output")
        #expect(export.values["adapter_name_or_path"] == nil)
        #expect(export.values["finetuning_type"] == "freeze")
        #expect(try LlamaFactoryConfig.export(for: Self.job()) == nil)
    }

    @Test func theWrittenFileIsJSONTextUnderACommentLine() throws {
        let folder = try Fixtures.temporaryDirectory("config")
        defer { try? FileManager.default.removeItem(at: folder) }
        let config = try LlamaFactoryConfig.training(for: Self.job(hyperparameters: ["learning_rate": 1e-5]))
        let file = folder.appendingPathComponent("train.yaml")
        try config.write(to: file)
        let text = try String(contentsOf: file, encoding: .utf8)
        #expect(text.hasPrefix("# "))
        let json = try JSONValue(parsing: String(text.drop { $0 != "\n" }))
        #expect(json.objectValue?["learning_rate"]?.doubleValue == 1e-5)
    }

    @Test(arguments: [
        ("learning_rat", "learning_rate"), ("evaluation_strategy", "eval_strategy"), ("lora_r", "lora_rank"),
        ("num_train_epoch", "num_train_epochs"), ("per_device_train_batchsize", "per_device_train_batch_size"),
    ])
    func unknownKeysAreCaughtWithADidYouMean(key: String, suggestion: String) throws {
        let job = Self.job(hyperparameters: [key: 1])
        let failure = try #require(throws: TrainingFailure.self) { try LlamaFactoryConfig.training(for: job) }
        #expect(failure.cause == .unknownKey)
        #expect(failure.message.contains("'\(key)' (did you mean '\(suggestion)'?)"))
    }

    @Test func aKeyFarFromEveryKnownOneGetsNoSuggestion() throws {
        let job = Self.job(hyperparameters: ["zzzzzzzzzz": 1])
        let failure = try #require(throws: TrainingFailure.self) { try LlamaFactoryConfig.training(for: job) }
        #expect(failure.message == "Unknown train config keys: 'zzzzzzzzzz'.")
    }

    @Test func exportRejectsTrainingKeys() throws {
        let config = LlamaFactoryConfig(command: .export, values: ["model_name_or_path": "/m", "learning_rate": 1e-4])
        let failure = try #require(throws: TrainingFailure.self) { try config.validate() }
        #expect(failure.cause == .unknownKey)
        #expect(failure.fix.contains("Export takes no training keys"))
    }

    @Test func unknownTemplatesAreCaughtWithADidYouMean() throws {
        let failure = try #require(throws: TrainingFailure.self) {
            try LlamaFactoryConfig.training(for: Self.job(template: "qwen3_nothnk"))
        }
        #expect(failure.cause == .templateNotFound)
        #expect(failure.message.contains("did you mean 'qwen3_nothink'"))
    }

    @Test func aBooleanStrategyIsRejectedWithTheYAMLHint() throws {
        let failure = try #require(throws: TrainingFailure.self) {
            try LlamaFactoryConfig.training(for: Self.job(hyperparameters: ["save_strategy": false]))
        }
        #expect(failure.cause == .invalidValue)
        #expect(failure.message == "save_strategy is false.")
        #expect(failure.fix.contains("quote it"))
    }

    @Test func loraKeysNeedLoRA() throws {
        let failure = try #require(throws: TrainingFailure.self) {
            try LlamaFactoryConfig.training(for: Self.job(finetuning: .full, hyperparameters: ["lora_rank": 16]))
        }
        #expect(failure.cause == .invalidValue)
        #expect(failure.message.contains("lora_rank"))
    }

    @Test func evaluationNeedsEvalData() throws {
        let failure = try #require(throws: TrainingFailure.self) {
            try LlamaFactoryConfig.training(for: Self.job(hyperparameters: ["eval_strategy": "steps"]))
        }
        #expect(failure.cause == .invalidValue)
        _ = try LlamaFactoryConfig.training(
            for: Self.job(hyperparameters: ["eval_strategy": "steps", "val_size": 0.1]))
    }

    @Test func hyperparametersCannotOverrideTheJobsOwnFields() throws {
        let failure = try #require(throws: TrainingFailure.self) {
            try LlamaFactoryConfig.training(for: Self.job(hyperparameters: ["template": "llama3", "dataset": "x"]))
        }
        #expect(failure.message.contains("dataset, template"))
    }

    @Test func mergedFoldersMustBeNamedNeutrally() throws {
        let failure = try #require(throws: TrainingFailure.self) {
            try LlamaFactoryConfig.export(for: Self.job(merged: "/runs/r1/Qwen2.5-merged"))
        }
        #expect(failure.message.contains("'qwen'"))
    }

    @Test func theKeyListCoversEveryArgumentGroup() {
        for key in [
            "model_name_or_path", "dataset_dir", "learning_rate", "lora_rank", "max_new_tokens", "eval_strategy",
        ] {
            #expect(LlamaFactoryArgumentNames.train.contains(key))
        }
        #expect(LlamaFactoryArgumentNames.export.contains("export_dir"))
        #expect(!LlamaFactoryArgumentNames.export.contains("learning_rate"))
        #expect(
            LlamaFactoryArgumentNames.templates.isSuperset(of: ["qwen", "qwen3_nothink", "gemma3", "llama3", "smollm2"])
        )
    }
}
