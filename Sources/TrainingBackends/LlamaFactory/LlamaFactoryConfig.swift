public import AgentCore
public import Foundation

/// A LlamaFactory config, compiled from a `TrainingJob` and validated before anything is launched.
///
/// Written as JSON text in a `.yaml` file. JSON, because generated YAML turns a bare `no` into `false` and YAML 1.1
/// readers take `1e-4` as a string; a `.yaml` name, because LlamaFactory 0.9.5's `.json` branch is broken
/// (`read_args` calls `json.load` on a `Path` and fails with `'PosixPath' object has no attribute 'read'`), while
/// its `.yaml` branch (OmegaConf) reads JSON, a subset of YAML, with `1e-05` as a float and `"no"` as a string.
public struct LlamaFactoryConfig: Sendable, Hashable {
    /// The `llamafactory-cli` subcommand the config is for (each accepts different argument groups).
    public enum Command: String, Sendable, Hashable, Codable {
        case train, export
    }

    /// The subcommand.
    public var command: Command
    /// The config keys and values.
    public var values: [String: JSONValue]

    /// Creates a config; call `validate()` before writing it.
    public init(command: Command, values: [String: JSONValue]) {
        self.command = command
        self.values = values
    }

    /// The keys a job's own fields set; hyperparameters may not override them.
    public static let jobOwnedKeys: Set<String> = [
        "model_name_or_path", "stage", "finetuning_type", "dataset", "dataset_dir", "template", "output_dir",
        "do_train",
    ]

    /// Compiles the training config of `job`.
    ///
    /// Defaults (each can be overridden through `hyperparameters`): `overwrite_output_dir: true`, `report_to: none`,
    /// `logging_steps: 1`, `save_only_model: true`, `plot_loss: false`. `orpo` becomes `stage: dpo` with
    /// `pref_loss: orpo`. Paths become absolute, since LlamaFactory resolves `dataset_dir` against its working folder.
    ///
    /// - Throws: `TrainingFailure` when a hyperparameter tries to override a key the job owns, and the errors of
    ///   `validate()`.
    public static func training(for job: TrainingJob) throws -> LlamaFactoryConfig {
        var values: [String: JSONValue] = [
            "overwrite_output_dir": true,
            "report_to": "none",
            "logging_steps": 1,
            "save_only_model": true,
            "plot_loss": false,
        ]
        if job.method == .orpo {
            values["pref_loss"] = "orpo"
        }
        if job.gpus.count > 0, job.hyperparameters["bf16"] == nil, job.hyperparameters["fp16"] == nil {
            values["bf16"] = true
        }
        let owned = job.hyperparameters.keys.filter { jobOwnedKeys.contains($0) }.sorted()
        if !owned.isEmpty {
            throw TrainingFailure(
                cause: .invalidValue,
                message: "hyperparameters set \(owned.joined(separator: ", ")), which the job's own fields decide.",
                fix: "Set these through the TrainingJob fields (baseModel, method, finetuning, datasets, "
                    + "datasetDirectory, template, outputDirectory) and remove them from hyperparameters."
            )
        }
        values.merge(job.hyperparameters) { _, new in new }
        values["model_name_or_path"] = .string(absolutePath(job.baseModel))
        values["stage"] = .string(job.method == .orpo ? "dpo" : job.method.rawValue)
        values["do_train"] = true
        values["finetuning_type"] = .string(job.finetuning.rawValue)
        values["dataset"] = .string(job.datasets.joined(separator: ","))
        values["dataset_dir"] = .string(absolutePath(job.datasetDirectory))
        values["template"] = .string(job.template)
        values["output_dir"] = .string(absolutePath(job.outputDirectory))
        let config = LlamaFactoryConfig(command: .train, values: values)
        try config.validate()
        return config
    }

    /// Compiles the export config that merges `job`'s trained weights into `job.mergedModelDirectory`.
    ///
    /// For LoRA the adapter in the output folder is merged into the base model; for full and freeze training the
    /// output folder already holds the whole model and export rewrites it as a clean model folder.
    ///
    /// - Returns: `nil` when the job asks for no merged model.
    /// - Throws: `TrainingFailure` when the merged folder's path names a model family (evaluators pick a chat
    ///   template from such names), and the errors of `validate()`.
    public static func export(for job: TrainingJob) throws -> LlamaFactoryConfig? {
        guard let merged = job.mergedModelDirectory else {
            return nil
        }
        let mergedPath = absolutePath(merged)
        let families = ["qwen", "gemma", "llama", "smollm", "mistral", "phi"]
        let lastComponent = URL(fileURLWithPath: mergedPath).lastPathComponent.lowercased()
        if let family = families.first(where: { lastComponent.contains($0) }) {
            throw TrainingFailure(
                cause: .invalidValue,
                message: "mergedModelDirectory '\(merged)' names the model family '\(family)'.",
                fix: "Name the merged model folder neutrally (for example 'merged_model'): evaluators pick a chat "
                    + "template from family names in the path."
            )
        }
        var values: [String: JSONValue] = [
            "template": .string(job.template),
            "export_dir": .string(mergedPath),
            "export_size": 5,
            "export_device": .string(job.gpus.isEmpty ? "cpu" : "auto"),
            "export_legacy_format": false,
        ]
        for key in ["trust_remote_code", "infer_dtype"] {
            if let value = job.hyperparameters[key] {
                values[key] = value
            }
        }
        if job.finetuning == .lora {
            values["model_name_or_path"] = .string(absolutePath(job.baseModel))
            values["adapter_name_or_path"] = .string(absolutePath(job.outputDirectory))
            values["finetuning_type"] = "lora"
        } else {
            values["model_name_or_path"] = .string(absolutePath(job.outputDirectory))
            values["finetuning_type"] = .string(job.finetuning.rawValue)
        }
        let config = LlamaFactoryConfig(command: .export, values: values)
        try config.validate()
        return config
    }

    /// Checks keys against LlamaFactory's argument groups for this command and the values LlamaFactory would
    /// reject only after loading the model.
    ///
    /// - Throws: `TrainingFailure` (`.unknownKey` with a did-you-mean, `.templateNotFound`, `.invalidValue`).
    public func validate() throws {
        let known = command == .train ? LlamaFactoryArgumentNames.train : LlamaFactoryArgumentNames.export
        let unknown = values.keys.filter { !known.contains($0) }.sorted()
        if !unknown.isEmpty {
            let hints = unknown.map { key in
                Self.suggestion(for: key, among: known).map { "'\(key)' (did you mean '\($0)'?)" } ?? "'\(key)'"
            }
            var fix =
                "Rename or remove them; keys must belong to LlamaFactory \(LlamaFactoryArgumentNames.version)'s "
                + "argument groups."
            if command == .export {
                fix += " Export takes no training keys."
            }
            throw TrainingFailure(
                cause: .unknownKey,
                message: "Unknown \(command.rawValue) config keys: \(hints.joined(separator: ", ")).", fix: fix
            )
        }
        if let template = values["template"]?.stringValue, !LlamaFactoryArgumentNames.templates.contains(template) {
            let hint = Self.suggestion(for: template, among: LlamaFactoryArgumentNames.templates)
            throw TrainingFailure(
                cause: .templateNotFound,
                message: "Template '\(template)' is not registered in LlamaFactory \(LlamaFactoryArgumentNames.version)"
                    + (hint.map { " (did you mean '\($0)'?)" } ?? "") + ".",
                fix: "Use the template of the model's family (qwen for Qwen2/2.5, qwen3_nothink or qwen3 for Qwen3, "
                    + "gemma3 for Gemma 3, llama3 for Llama 3, smollm2 for SmolLM2)."
            )
        }
        try validateChoices()
        if command == .train {
            try validateTrainingCombinations()
        }
    }

    /// The config as pretty-printed JSON with sorted keys (stable, so it can be compared with golden files).
    public var jsonText: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        let data = (try? encoder.encode(values)) ?? Data("{}".utf8)
        return String(decoding: data, as: UTF8.self) + "\n"
    }

    /// The file text: a comment line, then `jsonText` (give the file a `.yaml` name; see the type's documentation).
    public var fileText: String {
        "# Written by AutoTrainess for llamafactory-cli \(command.rawValue): JSON text, read as YAML.\n" + jsonText
    }

    /// Writes `fileText` to `url`, which should end in `.yaml`.
    public func write(to url: URL) throws {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        try Data(fileText.utf8).write(to: url, options: .atomic)
    }

    // MARK: - Value checks

    private static let choices: [String: Set<String>] = [
        "eval_strategy": ["no", "steps", "epoch"],
        "save_strategy": ["no", "steps", "epoch", "best"],
        "logging_strategy": ["no", "steps", "epoch"],
        "lr_scheduler_type": [
            "linear", "cosine", "cosine_with_restarts", "polynomial", "constant", "constant_with_warmup",
            "inverse_sqrt", "reduce_lr_on_plateau", "cosine_with_min_lr", "cosine_warmup_with_min_lr",
            "warmup_stable_decay",
        ],
        "pref_loss": ["sigmoid", "hinge", "ipo", "kto_pair", "orpo", "simpo"],
        "finetuning_type": ["lora", "oft", "freeze", "full"],
        "stage": ["pt", "sft", "rm", "ppo", "dpo", "kto"],
    ]

    private func validateChoices() throws {
        for (key, allowed) in Self.choices.sorted(by: { $0.key < $1.key }) {
            guard let value = values[key] else { continue }
            guard let text = value.stringValue, allowed.contains(text) else {
                let shown = value.stringValue.map { "'\($0)'" } ?? value.compactText
                var fix = "Use one of \(allowed.sorted().joined(separator: ", ")) as a string."
                if value.boolValue != nil {
                    fix += " (A YAML bare `no` becomes false: quote it.)"
                }
                throw TrainingFailure(cause: .invalidValue, message: "\(key) is \(shown).", fix: fix)
            }
        }
    }

    private func validateTrainingCombinations() throws {
        let finetuning = values["finetuning_type"]?.stringValue ?? "lora"
        let loraOnly = values.keys.filter { $0.hasPrefix("lora_") || $0 == "use_dora" || $0 == "use_rslora" }.sorted()
        if finetuning != "lora", !loraOnly.isEmpty {
            throw TrainingFailure(
                cause: .invalidValue,
                message: "\(loraOnly.joined(separator: ", ")) only apply to LoRA, but finetuning is \(finetuning).",
                fix: "Remove the LoRA keys, or train with finetuning lora."
            )
        }
        let hasEvalData = values["eval_dataset"] != nil || (values["val_size"]?.doubleValue ?? 0) > 1e-6
        if values["eval_dataset"] != nil, (values["val_size"]?.doubleValue ?? 0) > 1e-6 {
            throw TrainingFailure(
                cause: .invalidValue, message: "Both eval_dataset and val_size are set.",
                fix: "Keep one: eval_dataset (a registered dataset) or val_size (a share of the training data)."
            )
        }
        let evaluates =
            values["do_eval"]?.boolValue == true
            || (values["eval_strategy"]?.stringValue.map { $0 != "no" } ?? false)
        if evaluates, !hasEvalData {
            throw TrainingFailure(
                cause: .invalidValue, message: "Evaluation is on (do_eval or eval_strategy) but there is no eval data.",
                fix: "Set val_size (for example 0.1) or eval_dataset, or set eval_strategy to \"no\"."
            )
        }
    }

    // MARK: - Helpers

    static func absolutePath(_ path: String) -> String {
        URL(fileURLWithPath: path).standardizedFileURL.path
    }

    static func absolutePath(_ url: URL) -> String { url.standardizedFileURL.path }

    /// The closest known name to `key` (renames first, then edit distance within a third of the length).
    static func suggestion(for key: String, among known: Set<String>) -> String? {
        let renamed = [
            "evaluation_strategy": "eval_strategy", "lora_r": "lora_rank", "lr": "learning_rate",
            "epochs": "num_train_epochs", "num_epochs": "num_train_epochs", "batch_size": "per_device_train_batch_size",
            "max_seq_length": "cutoff_len", "max_length": "cutoff_len", "seq_length": "cutoff_len",
            "gradient_accumulation": "gradient_accumulation_steps", "warmup": "warmup_ratio",
        ]
        if let target = renamed[key], known.contains(target) {
            return target
        }
        return NameSuggestion.closest(to: key, among: known)
    }
}
