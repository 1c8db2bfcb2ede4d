import Foundation

/// Turns the output of a failed `llamafactory-cli` run into a `TrainingFailure` with a fix.
///
/// Rules are regular expressions over the log lines, tried in order; the first that matches wins. Under torchrun
/// the real error appears only in `[rankN]:` lines, so that prefix is stripped before matching, and a run that
/// failed under torchrun without a recognised rank error becomes `.rankFailure`.
public enum LlamaFactoryDiagnosis {
    /// Diagnoses a run that did not succeed.
    ///
    /// - Parameters:
    ///   - lines: The run's output (stdout and stderr together), oldest first.
    ///   - exitCode: The exit status, when the process exited.
    ///   - signal: The signal that ended the process, when one did.
    /// - Returns: The failure, with `.unknown` and the last error line when no rule matched.
    public static func diagnose(lines: [String], exitCode: Int32?, signal: Int32?) -> TrainingFailure {
        let cleaned = lines.map(stripRankPrefix)
        for rule in rules {
            guard let regex = try? Regex(rule.pattern) else { continue }
            for line in cleaned.reversed() {
                if let match = line.firstMatch(of: regex) {
                    let captures = match.output.dropFirst().compactMap { $0.substring.map(String.init) }
                    return TrainingFailure(
                        cause: rule.cause, message: line.trimmingCharacters(in: .whitespaces),
                        fix: rule.fix(captures, cleaned), exitCode: exitCode, logTail: Array(lines.suffix(40))
                    )
                }
            }
        }
        if signal == 9 || exitCode == 137 || cleaned.contains(where: { $0.contains("exitcode  : -9") }) {
            return TrainingFailure(
                cause: .hostOutOfMemory,
                message: "The process was killed (SIGKILL) without a Python error, typically by the host's OOM killer.",
                fix: "Use less host memory: lower preprocessing_num_workers and per_device_train_batch_size, use a "
                    + "smaller model or LoRA, or run on a machine with more RAM.",
                exitCode: exitCode, logTail: Array(lines.suffix(40))
            )
        }
        if cleaned.contains(where: { $0.contains("ChildFailedError") || $0.contains("Command '['torchrun'") }) {
            return TrainingFailure(
                cause: .rankFailure,
                message: "A rank failed under torchrun; its own error is not in the captured output.",
                fix: "Read the `[rankN]:` lines in the full log (`<output>_train.log` beside the output folder), or "
                    + "rerun on one device without FORCE_TORCHRUN to see the error directly.",
                exitCode: exitCode, logTail: Array(lines.suffix(40))
            )
        }
        let errorLine = cleaned.last { $0.range(of: #"^\w*(Error|Exception)\b"#, options: .regularExpression) != nil }
        return TrainingFailure(
            cause: .unknown,
            message: errorLine ?? "The run ended with \(exitCode.map { "exit \($0)" } ?? "signal \(signal ?? 0)").",
            fix: "Read the log tail; if the error names a key or value of the config, correct it and retry.",
            exitCode: exitCode, logTail: Array(lines.suffix(40))
        )
    }

    /// `[rank0]: ValueError: x` becomes `ValueError: x`.
    static func stripRankPrefix(_ line: String) -> String {
        guard line.hasPrefix("[rank"), let end = line.firstIndex(of: "]") else {
            return line
        }
        var rest = line[line.index(after: end)...]
        if rest.hasPrefix(":") { rest = rest.dropFirst() }
        return String(rest.drop { $0 == " " })
    }

    private struct Rule: Sendable {
        var cause: TrainingFailure.Cause
        var pattern: String
        var fix: @Sendable (_ captures: [String], _ lines: [String]) -> String
    }

    private static func rule(
        _ cause: TrainingFailure.Cause, _ pattern: String,
        fix: @escaping @Sendable (_ captures: [String], _ lines: [String]) -> String
    ) -> Rule {
        Rule(cause: cause, pattern: pattern, fix: fix)
    }

    private static func rule(_ cause: TrainingFailure.Cause, _ pattern: String, fix: String) -> Rule {
        rule(cause, pattern) { _, _ in fix }
    }

    private static let rules: [Rule] = [
        rule(.unknownKey, #"Some (?:keys|specified arguments) are not used by the HfArgumentParser: (.*)"#) {
            captures, _ in
            let keys = captures.first ?? ""
            var fix = "Remove or rename the keys \(keys): they belong to no LlamaFactory argument group."
            if keys.contains("evaluation_strategy") {
                fix += " `evaluation_strategy` was renamed `eval_strategy`."
            }
            if keys.contains("do_train") || keys.contains("output_dir") {
                fix += " Export and chat configs take no training keys: keep separate train and export configs."
            }
            return fix
        },
        rule(
            .invalidValue, #"(\S+) is not a valid (\w+), please select one of (.*)"#
        ) { captures, _ in
            let value = captures.first ?? ""
            let kind = captures.count > 1 ? captures[1] : "value"
            let choices = captures.count > 2 ? captures[2] : ""
            var fix = "Use one of \(choices) for the \(kind) setting."
            if value == "False" || value == "True" {
                fix +=
                    " A YAML bare `no`/`yes` became a boolean: write the value as a quoted string (JSON configs "
                    + "avoid this)."
            }
            return fix
        },
        rule(.templateNotFound, #"Template (\S+) does not exist\."#) { captures, _ in
            "Template '\(captures.first ?? "")' is not registered in LlamaFactory "
                + "\(LlamaFactoryArgumentNames.version). Use the model family's template (qwen for Qwen2/2.5, "
                + "qwen3 or qwen3_nothink for Qwen3, gemma for text-only Gemma 3 and gemma3 for the multimodal ones, llama3 for Llama 3, smollm2 for SmolLM2), "
                + "or leave it unset to use the tokenizer's."
        },
        rule(.templateMismatch, #"Processor was not found, please check and update your model file"#) { _, _ in
            "The template is a multimodal one (it loads an image processor) but the model folder has no processor "
                + "files: a text-only model. Use the family's text template (gemma for Gemma 3 text models such "
                + "as the 270M and 1B, qwen for Qwen2-VL's text base), or train the multimodal model with its "
                + "processor files."
        },
        rule(.datasetNotRegistered, #"Undefined dataset (.+) in (\S*)dataset_info\.json"#) { captures, _ in
            "'\(captures.first ?? "")' is not a key of dataset_info.json. Pass dataset names registered there (not "
                + "file names or paths), and set dataset_dir to the absolute folder holding dataset_info.json."
        },
        rule(
            .datasetRegistryMissing, #"Cannot open (.*)dataset_info\.json"#,
            fix: "dataset_dir does not hold a readable dataset_info.json; use an absolute path to the folder that does."
        ),
        rule(.dataFileMissing, #"File (.+) not found\."#) { captures, _ in
            "The data file \(captures.first ?? "") does not exist. Fix file_name in dataset_info.json (relative to "
                + "dataset_dir), or write the file before training."
        },
        rule(.noValidSamples, #"Cannot find valid samples"#) { _, lines in
            let dropped = lines.filter { $0.contains("Dropped invalid example") || $0.contains("Invalid role tag") }
            return "Every example was dropped (\(dropped.count) warnings in the captured log). Check the format: "
                + "roles must alternate user/assistant (sharegpt), outputs must be non-empty, and the message "
                + "count must be even for sft and odd for ranking data. Validate with `autotrainess data validate`."
        },
        rule(
            .stageDataMismatch, #"The dataset is not applicable in the current training stage"#,
            fix: "rm and dpo need a dataset with \"ranking\": true in dataset_info.json; sft, kto and pt need one "
                + "without it. Use a matching dataset or change the method."
        ),
        rule(.columnMapping, #"^KeyError: '([^']+)'"#) { captures, _ in
            "The data file has no column '\(captures.first ?? "")' that dataset_info.json maps. Fix the \"columns\" "
                + "block, or the \"formatting\" (alpaca vs sharegpt) so that it matches the file's fields."
        },
        rule(
            .outputDirectoryNotEmpty, #"Output directory already exists and is not empty"#,
            fix: "Use a fresh output folder, set overwrite_output_dir to true, or set resume_from_checkpoint to "
                + "continue the earlier run."
        ),
        rule(
            .precisionUnsupported, #"doesn't support bf16|does not support `pure_bf16`|fp16.*requires a GPU"#,
            fix: "This device has no bf16/fp16 support: train in fp32 on CPU (remove bf16/fp16/pure_bf16), or use "
                + "fp16 on pre-Ampere GPUs."
        ),
        rule(
            .outOfMemory, #"OutOfMemoryError|CUDA out of memory"#,
            fix: "Lower per_device_train_batch_size and cutoff_len and raise gradient_accumulation_steps; use LoRA "
                + "(or quantization_bit: 4); keep gradient checkpointing on; or use DeepSpeed ZeRO-3 across GPUs."
        ),
        rule(
            .diskFull, #"No space left on device|Errno 28"#,
            fix: "Free disk space (old checkpoints: save_total_limit, save_only_model) or write to another disk."
        ),
        rule(
            .cudaNotVisible,
            #"No CUDA GPUs are available|Found no NVIDIA driver|CUDA driver initialization failed|"#
                + #"Torch not compiled with CUDA enabled|no CUDA-capable device"#,
            fix: "No GPU is visible: check nvidia-smi and CUDA_VISIBLE_DEVICES (job.gpus), and that torch is a CUDA "
                + "build (`autotrainess doctor`); or run on CPU without gpus."
        ),
        rule(.unsupportedMethod, #"(trl>=0\.8\.6,<=0\.9\.6) is required"#) { _, _ in
            "PPO is broken in LlamaFactory 0.9.5 with trl 0.24 (it needs trl<=0.9.6). Use sft, dpo, kto, orpo or rm."
        },
        rule(.versionConflict, #"(\S+) is required for a normal functioning of this module, but found (\S+)"#) {
            captures, _ in
            "Installed \(captures.count > 1 ? captures[1] : "package") does not satisfy \(captures.first ?? ""). "
                + "Repair the managed environment (`autotrainess doctor`), which installs the pinned set."
        },
        rule(.versionConflict, #"The '([^']+)' distribution was not found"#) { captures, _ in
            "The package \(captures.first ?? "") is not installed in the venv. Install it there, or drop the setting "
                + "that needs it (deepspeed needs the deepspeed package)."
        },
        rule(
            .versionConflict, #"PyTorch and TorchAudio were compiled with different CUDA versions"#,
            fix: "torch and torchaudio come from different builds. Repair the managed environment (`autotrainess "
                + "doctor`): it removes torchaudio and stubs LlamaFactory's import of it."
        ),
        rule(
            .distributedLaunch,
            #"Please launch distributed training with|Please use `FORCE_TORCHRUN=1`|"#
                + #"No such file or directory: 'torchrun'"#,
            fix: "Launch through llamafactory-cli with FORCE_TORCHRUN=1 and NPROC_PER_NODE set (the backend does this "
                + "for jobs with several GPUs or a deepspeed config), with the venv's bin first on PATH."
        ),
        rule(
            .modelNotFound,
            #"Failed to load tokenizer|Failed to load model|Repo id must be in the form|is not a local folder"#,
            fix: "The base model path does not hold a loadable model: pass an existing local folder with config.json, "
                + "the weights and the tokenizer files (nothing can be downloaded at run time)."
        ),
        rule(.invalidValue, #"Unknown task: (\S+)\."#) { captures, _ in
            "Stage \(captures.first ?? "") is not supported; use sft, dpo, kto, rm or pt."
        },
        rule(
            .invalidValue,
            #"(Please provide `model_name_or_path`|Please specify dataset|`reward_model` is necessary|"#
                + #"Adapter is only valid for the LoRA method|Please specify `export_dir`|"#
                + #"Please make sure eval_dataset be provided|Cannot specify `val_size`|Invalid fine-tuning method|"#
                + #"Quantization is only compatible|`predict_with_generate` cannot be set|"#
                + #"Please enable `predict_with_generate`)"#
        ) { captures, _ in
            "LlamaFactory rejected the configuration: \(captures.first ?? ""). Correct that setting and retry."
        },
    ]
}
