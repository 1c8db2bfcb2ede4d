import Foundation

/// Checks and completes the model folder `llamafactory-cli export` writes.
enum MergedModel {
    /// Processor files a multimodal base model (Gemma 3 4B and up) needs beside the tokenizer; export writes them
    /// when the processor loads, and they are copied from the base model when it did not.
    static let processorFiles = ["preprocessor_config.json", "processor_config.json", "video_preprocessor_config.json"]

    /// What a full or freeze training run writes beside the model that a model folder does not need.
    static func isTrainingArtifact(_ name: String) -> Bool {
        name.hasPrefix("checkpoint-") || name.hasSuffix("_results.json") || name.hasPrefix("trainer_")
            || name.hasPrefix("training_") || name.hasPrefix("rng_state")
            || ["runs", "README.md", "scheduler.pt", "optimizer.pt"].contains(name)
    }

    /// Makes `directory` a model folder from the output folder of a full or freeze training run: every model,
    /// tokenizer and config file is hard-linked (copied across file systems), the training artifacts stay behind.
    ///
    /// Tokenizer and generation files missing there (a trainer's intermediate checkpoint may lack them) are copied
    /// from `baseModel`: training does not change them.
    ///
    /// - Throws: file-system errors.
    static func collect(from output: URL, into directory: URL, baseModel: URL) throws {
        let fileManager = FileManager.default
        if fileManager.fileExists(atPath: directory.path) {
            try fileManager.removeItem(at: directory)
        }
        try fileManager.createDirectory(at: directory, withIntermediateDirectories: true)
        for name in try fileManager.contentsOfDirectory(atPath: output.path).sorted() where !isTrainingArtifact(name) {
            let source = output.appendingPathComponent(name)
            var isDirectory: ObjCBool = false
            guard fileManager.fileExists(atPath: source.path, isDirectory: &isDirectory), !isDirectory.boolValue else {
                continue
            }
            let target = directory.appendingPathComponent(name)
            do {
                try fileManager.linkItem(at: source, to: target)
            } catch {
                try fileManager.copyItem(at: source, to: target)
            }
        }
        let present = Set(try fileManager.contentsOfDirectory(atPath: directory.path))
        let unchanged = ((try? fileManager.contentsOfDirectory(atPath: baseModel.path)) ?? []).filter {
            $0.hasPrefix("tokenizer") || $0.hasPrefix("special_tokens") || $0 == "chat_template.jinja"
                || $0 == "generation_config.json" || $0 == "vocab.json" || $0 == "merges.txt"
        }
        for name in unchanged where !present.contains(name) {
            try fileManager.copyItem(at: baseModel.appendingPathComponent(name), to: directory.appendingPathComponent(name))
        }
    }

    /// Verifies that `directory` holds a loadable model and copies missing processor files from `baseModel`.
    ///
    /// - Throws: `TrainingFailure` (`.missingOutputs`) naming what is missing.
    static func finish(_ directory: URL, baseModel: URL, logTail: [String]) throws {
        let fileManager = FileManager.default
        let names = Set((try? fileManager.contentsOfDirectory(atPath: directory.path)) ?? [])
        var missing: [String] = []
        if !names.contains("config.json") { missing.append("config.json") }
        if !names.contains(where: { $0.hasSuffix(".safetensors") || $0.hasPrefix("pytorch_model") }) {
            missing.append("weights")
        }
        if !names.contains("tokenizer_config.json") { missing.append("tokenizer_config.json") }
        guard missing.isEmpty else {
            throw TrainingFailure(
                cause: .missingOutputs,
                message: "The merged model in \(directory.path) lacks \(missing.joined(separator: ", ")).",
                fix: "Read the export log tail; check that the base model and the adapter belong together.",
                exitCode: 0, logTail: Array(logTail.suffix(40))
            )
        }
        for file in processorFiles where !names.contains(file) {
            let source = baseModel.appendingPathComponent(file)
            if fileManager.fileExists(atPath: source.path) {
                try fileManager.copyItem(at: source, to: directory.appendingPathComponent(file))
            }
        }
    }
}
