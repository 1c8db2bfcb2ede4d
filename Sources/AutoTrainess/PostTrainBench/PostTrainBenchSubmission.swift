import AgentCore
public import Runtime
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

extension PostTrainBenchSubmission {
    /// What loading the submission and generating once said (`Python/scripts/evaluation/load_check.py`).
    public struct LoadCheck: Sendable, Hashable, Codable {
        public var loaded: Bool
        /// The greedy continuation of a short prompt, when it loaded.
        public var generated: String?
        public var transformers: String?
        public var error: String?
        public var seconds: Double?
    }

    /// Loads `model` with transformers in the managed Python environment (the environment the run started in) and
    /// generates a few tokens greedily, as the benchmark requires of `final_model/`.
    /// - Returns: the verdict; a script that prints nothing readable gives `loaded: false` with its output's tail.
    public static func loadCheck(model: URL, python: PythonEnvironment, deadline: Date = Date().addingTimeInterval(900))
        async -> LoadCheck
    {
        let script = PackageResources.python.appendingPathComponent("scripts/evaluation/load_check.py")
        let spec = ProcessSpec(
            executable: python.pythonExecutable.path, arguments: [script.path, "--model", model.path],
            environment: python.processEnvironment(), deadline: deadline)
        do {
            let outcome = try await ProcessRunner.run(spec)
            for line in outcome.outputTail.reversed() where line.hasPrefix("{") {
                if let check = try? JSONDecoder().decode(LoadCheck.self, from: Data(line.utf8)) { return check }
            }
            return LoadCheck(
                loaded: false, error: "no verdict from load_check.py (exit \(outcome.exitCode.map(String.init) ?? "signal")): "
                    + outcome.outputTail.suffix(5).joined(separator: " | "))
        } catch {
            return LoadCheck(loaded: false, error: "load_check.py did not run: \(error)")
        }
    }

    /// The extensions of the run's files copied for the judges: records, plans, logs, reports, data, manifests and
    /// the agent's scripts; never weights.
    static let traceExtensions: Set<String> = [
        "json", "jsonl", "md", "html", "py", "sh", "yaml", "yml", "txt", "csv", "tsv", "log",
    ]

    /// Copies the run's trace into `destination` (the task folder's `autotrainess_trace/<run id>/`), for the
    /// benchmark's judges who read what the agent did: `run.json`, `events.jsonl`, the experiment log, `report.html`,
    /// each iteration's plan, datasets with their manifests, generator scripts and evaluation copies. Skipped: model
    /// folders (`checkpoints/`, `final_model/`, training outputs), the evaluator's hidden reports, files over 64 MB.
    /// - Returns: the number of files and bytes copied.
    @discardableResult
    public static func copyTrace(of run: URL, to destination: URL) throws -> (files: Int, bytes: Int64) {
        let manager = FileManager.default
        let skipped: Set<String> = ["checkpoints", "final_model", "evaluator", "train"]
        guard let walker = manager.enumerator(
            at: run, includingPropertiesForKeys: [.isDirectoryKey, .fileSizeKey, .isSymbolicLinkKey])
        else { return (0, 0) }
        var (files, bytes): (Int, Int64) = (0, 0)
        let base = run.standardizedFileURL.resolvingSymlinksInPath().path
        while let url = walker.nextObject() as? URL {
            let values = try url.resourceValues(forKeys: [.isDirectoryKey, .fileSizeKey, .isSymbolicLinkKey])
            if values.isDirectory == true {
                if skipped.contains(url.lastPathComponent) || url.lastPathComponent.hasPrefix(".") {
                    walker.skipDescendants()
                }
                continue
            }
            let size = Int64(values.fileSize ?? 0)
            guard values.isSymbolicLink != true, traceExtensions.contains(url.pathExtension.lowercased()),
                size <= 64 << 20
            else { continue }
            let relative = String(url.standardizedFileURL.resolvingSymlinksInPath().path.dropFirst(base.count + 1))
            let target = destination.appendingPathComponent(relative)
            try manager.createDirectory(at: target.deletingLastPathComponent(), withIntermediateDirectories: true)
            if manager.fileExists(atPath: target.path) { try manager.removeItem(at: target) }
            try manager.copyItem(at: url, to: target)
            (files, bytes) = (files + 1, bytes + size)
        }
        return (files, bytes)
    }

    /// Removes what a finished run no longer needs and the benchmark would delete anyway: the trainer's intermediate
    /// `checkpoint-*` folders under `iterations/*/train/*/`, and the merged models in `checkpoints/` of every
    /// candidate but `keep` (the submission's, which `final_model/` was copied from). Adapters, logs and the
    /// registry stay.
    /// - Returns: the folders removed and the bytes they held.
    @discardableResult
    public static func removeIntermediateCheckpoints(in run: URL, keep: String) -> (folders: Int, bytes: Int64) {
        let manager = FileManager.default
        var doomed: [URL] = []
        let iterations = run.appendingPathComponent("iterations")
        for iteration in (try? manager.contentsOfDirectory(atPath: iterations.path)) ?? [] {
            let train = iterations.appendingPathComponent(iteration).appendingPathComponent("train")
            for job in (try? manager.contentsOfDirectory(atPath: train.path)) ?? [] {
                let output = train.appendingPathComponent(job)
                doomed += ((try? manager.contentsOfDirectory(atPath: output.path)) ?? [])
                    .filter { $0.hasPrefix("checkpoint-") }.map { output.appendingPathComponent($0) }
            }
        }
        let checkpoints = run.appendingPathComponent("checkpoints")
        for name in (try? manager.contentsOfDirectory(atPath: checkpoints.path)) ?? [] where name != keep {
            var isFolder: ObjCBool = false
            let url = checkpoints.appendingPathComponent(name)
            if manager.fileExists(atPath: url.path, isDirectory: &isFolder), isFolder.boolValue { doomed.append(url) }
        }
        var bytes: Int64 = 0
        var removed = 0
        for folder in doomed {
            let size = folderSize(folder)
            if (try? manager.removeItem(at: folder)) != nil {
                removed += 1
                bytes += size
            }
        }
        return (removed, bytes)
    }

    private static func folderSize(_ folder: URL) -> Int64 {
        guard let walker = FileManager.default.enumerator(at: folder, includingPropertiesForKeys: [.fileSizeKey])
        else { return 0 }
        var total: Int64 = 0
        while let url = walker.nextObject() as? URL {
            total += Int64((try? url.resourceValues(forKeys: [.fileSizeKey]))?.fileSize ?? 0)
        }
        return total
    }
}
