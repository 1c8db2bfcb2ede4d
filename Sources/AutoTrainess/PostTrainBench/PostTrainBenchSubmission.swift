import AgentCore
public import Foundation

/// The end of a PostTrainBench run: the run's `final_model/` handed to the task folder the way the benchmark
/// collects it, and checked the way its judge checks it.
public enum PostTrainBenchSubmission {
    /// The `config.json` fields the benchmark's model-identity check compares with the base model's (Gemma's
    /// `text_config` flattened); `architectures` and `vocab_size` are advisory there and are not compared.
    public static let identityFields = [
        "model_type", "hidden_size", "num_hidden_layers", "num_attention_heads", "num_key_value_heads",
        "intermediate_size", "head_dim",
    ]

    /// The identity fields where `candidate`'s `config.json` differs from `base`'s, as `field: base → candidate`.
    /// - Throws: when either `config.json` cannot be read.
    public static func identityMismatches(candidate: URL, base: URL) throws -> [String] {
        func fields(_ folder: URL) throws -> [String: JSONValue] {
            let data = try Data(contentsOf: folder.appendingPathComponent("config.json"))
            var object = try JSONValue(parsing: String(decoding: data, as: UTF8.self)).objectValue ?? [:]
            if let text = object["text_config"]?.objectValue { object.merge(text) { outer, _ in outer } }
            return object
        }
        let (left, right) = (try fields(base), try fields(candidate))
        return identityFields.compactMap { field in
            let (expected, found) = (left[field], right[field])
            guard expected != found else { return nil }
            return "\(field): \(expected?.compactText ?? "absent") → \(found?.compactText ?? "absent")"
        }
    }

    /// Copies the files of `source` into `destination` in place: the folder itself is never deleted or renamed (the
    /// benchmark may mount it), files it holds that `source` lacks are removed, and a `generation_config.json` is
    /// written when `source` has none, with greedy decoding (vLLM would sample at temperature 1.0 without one).
    /// - Returns: the files written, relative to `destination`.
    @discardableResult
    public static func export(from source: URL, to destination: URL) throws -> [String] {
        let manager = FileManager.default
        try manager.createDirectory(at: destination, withIntermediateDirectories: true)
        let sourceFiles = try manager.contentsOfDirectory(atPath: source.path).sorted()
        for stale in try manager.contentsOfDirectory(atPath: destination.path) where !sourceFiles.contains(stale) {
            try manager.removeItem(at: destination.appendingPathComponent(stale))
        }
        for name in sourceFiles {
            let target = destination.appendingPathComponent(name)
            if manager.fileExists(atPath: target.path) { try manager.removeItem(at: target) }
            // Resolve links (a promoted candidate's weights may be linked into checkpoints/): the copy must stand alone.
            try manager.copyItem(at: source.appendingPathComponent(name).resolvingSymlinksInPath(), to: target)
        }
        var written = sourceFiles
        if !sourceFiles.contains("generation_config.json") {
            let greedy = #"{"do_sample": false, "temperature": 0.0, "top_p": 1.0}"# + "\n"
            try Data(greedy.utf8).write(to: destination.appendingPathComponent("generation_config.json"))
            written.append("generation_config.json")
        }
        return written
    }
}
