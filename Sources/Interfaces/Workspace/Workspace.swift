public import AgentCore
public import Foundation

/// One run's folder, laid out as:
///
/// ```
/// run.json  events.jsonl  experiment_log.md
/// iterations/<n>/plan.md  data/  train/  eval/
/// checkpoints/<id>/       final_model/
/// ```
public struct Workspace: Sendable, Hashable {
    /// The run folder.
    public let root: URL

    /// A workspace rooted at `root`; nothing is created or checked (see ``create(at:manifest:)`` and ``open(_:)``).
    public init(root: URL) {
        self.root = root.standardizedFileURL
    }

    /// Creates the layout under `root`, keeping whatever already exists (safe to call again).
    ///
    /// `run.json` is written only when missing; an existing one is kept and returned.
    /// - Throws: ``WorkspaceError`` when a folder or file cannot be created or an existing `run.json` is unreadable.
    @discardableResult
    public static func create(at root: URL, manifest: RunManifest) throws -> (Workspace, RunManifest) {
        let workspace = Workspace(root: root)
        let manager = FileManager.default
        do {
            for folder in [workspace.root, workspace.iterationsDirectory, workspace.checkpointsDirectory] {
                try manager.createDirectory(at: folder, withIntermediateDirectories: true)
            }
            if !manager.fileExists(atPath: workspace.eventsFile.path) {
                try Data().write(to: workspace.eventsFile)
            }
            if !manager.fileExists(atPath: workspace.experimentLogFile.path) {
                try Data("# Experiment log: \(manifest.task.name)\n".utf8).write(to: workspace.experimentLogFile)
            }
        } catch {
            throw WorkspaceError.io(path: root.path, reason: "\(error)")
        }
        if manager.fileExists(atPath: workspace.runFile.path) {
            return (workspace, try workspace.readManifest())
        }
        try workspace.writeJSON(manifest, to: workspace.runFile)
        return (workspace, try workspace.readManifest())
    }

    /// Opens an existing run folder.
    /// - Throws: ``WorkspaceError/notARun(path:)`` when `root` holds no `run.json`.
    public static func open(_ root: URL) throws -> Workspace {
        let workspace = Workspace(root: root)
        guard FileManager.default.fileExists(atPath: workspace.runFile.path) else {
            throw WorkspaceError.notARun(path: root.path)
        }
        return workspace
    }

    /// `run.json`: task, config, versions, budget.
    public var runFile: URL { root.appendingPathComponent("run.json") }
    /// `events.jsonl`: the experiment store.
    /// Where the evaluator keeps its work and the full evaluation reports: never readable by the agent.
    public var evaluatorDirectory: URL { root.appendingPathComponent("evaluator", isDirectory: true) }

    /// The full report of an evaluation (with the benchmark's answers), under ``evaluatorDirectory``.
    public func evaluationReport(iteration: Int, label: String) -> URL {
        evaluatorDirectory.appendingPathComponent("reports/\(iteration)/\(label).json")
    }

    public var eventsFile: URL { root.appendingPathComponent("events.jsonl") }
    /// `experiment_log.md`: the human summary, one entry per iteration.
    public var experimentLogFile: URL { root.appendingPathComponent("experiment_log.md") }
    /// `iterations/`.
    public var iterationsDirectory: URL { root.appendingPathComponent("iterations", isDirectory: true) }
    /// `checkpoints/`: evaluated candidates.
    public var checkpointsDirectory: URL { root.appendingPathComponent("checkpoints", isDirectory: true) }
    /// `checkpoints/registry.json`: the evaluated candidates with their scores and lineage.
    public var checkpointRegistryFile: URL { checkpointsDirectory.appendingPathComponent("registry.json") }
    /// `final_model/`: the promoted submission (only ever replaced atomically, never written in place).
    public var finalModelDirectory: URL { root.appendingPathComponent("final_model", isDirectory: true) }

    /// The folder of one candidate checkpoint.
    public func checkpointDirectory(_ id: String) -> URL {
        checkpointsDirectory.appendingPathComponent(id, isDirectory: true)
    }

    /// The paths of iteration `number` (nothing is created; see ``prepareIteration(_:)``).
    public func iteration(_ number: Int) -> IterationPaths {
        IterationPaths(root: iterationsDirectory.appendingPathComponent(String(number), isDirectory: true))
    }

    /// Creates the folders of iteration `number` when missing.
    /// - Throws: ``WorkspaceError/io(path:reason:)``.
    @discardableResult
    public func prepareIteration(_ number: Int) throws -> IterationPaths {
        let paths = iteration(number)
        do {
            for folder in [paths.data, paths.train, paths.eval] {
                try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
            }
        } catch {
            throw WorkspaceError.io(path: paths.root.path, reason: "\(error)")
        }
        return paths
    }

    /// Reads `run.json`.
    /// - Throws: ``WorkspaceError`` when it is missing or not a manifest.
    public func readManifest() throws -> RunManifest {
        guard let data = FileManager.default.contents(atPath: runFile.path) else {
            throw WorkspaceError.notARun(path: root.path)
        }
        do {
            return try RecordCoding.decoder.decode(RunManifest.self, from: data)
        } catch {
            throw WorkspaceError.invalidFile(path: runFile.path, reason: "\(error)")
        }
    }

    /// Opens the run's experiment store (`events.jsonl`).
    /// - Throws: ``ExperimentStoreError`` when it cannot be opened.
    public func openStore() throws -> JSONLExperimentStore {
        try JSONLExperimentStore(fileURL: eventsFile)
    }

    /// The path of `url` relative to the run folder (or the full path when it lies outside).
    public func relativePath(of url: URL) -> String {
        let path = url.standardizedFileURL.path
        let prefix = root.path.hasSuffix("/") ? root.path : root.path + "/"
        return path.hasPrefix(prefix) ? String(path.dropFirst(prefix.count)) : path
    }

    /// The file a path in a record names: relative paths are inside the run folder, absolute ones stay as they are.
    /// The inverse of ``relativePath(of:)``.
    public func resolve(_ path: String) -> URL {
        path.hasPrefix("/") ? URL(fileURLWithPath: path).standardizedFileURL : root.appendingPathComponent(path).standardizedFileURL
    }

    /// Writes `value` as pretty, key-sorted JSON, replacing the file atomically.
    /// - Throws: ``WorkspaceError/io(path:reason:)``.
    public func writeJSON(_ value: some Encodable, to url: URL) throws {
        let encoder = RecordCoding.encoder
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        do {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoder.encode(value).write(to: url, options: .atomic)
        } catch {
            throw WorkspaceError.io(path: url.path, reason: "\(error)")
        }
    }
}

/// The paths of one iteration: `iterations/<n>/{plan.md,data,train,eval}`.
public struct IterationPaths: Sendable, Hashable {
    /// The iteration folder.
    public let root: URL

    /// Creates the paths under `root`.
    public init(root: URL) { self.root = root }

    /// `plan.md`.
    public var plan: URL { root.appendingPathComponent("plan.md") }
    /// `data/`: built datasets and `dataset_info.json`.
    public var data: URL { root.appendingPathComponent("data", isDirectory: true) }
    /// `train/`: one folder per training job.
    public var train: URL { root.appendingPathComponent("train", isDirectory: true) }
    /// `eval/`: raw reports and summaries.
    public var eval: URL { root.appendingPathComponent("eval", isDirectory: true) }
    /// LlamaFactory's dataset registry for this iteration; lists approved datasets only.
    public var datasetInfo: URL { data.appendingPathComponent("dataset_info.json") }
}

/// Errors about a run folder and paths inside it.
public enum WorkspaceError: Error, Sendable, Hashable, CustomStringConvertible {
    /// The folder has no `run.json`.
    case notARun(path: String)
    /// A file exists but cannot be read as expected.
    case invalidFile(path: String, reason: String)
    /// A path points outside the run folder.
    case pathEscapes(path: String, reason: String)
    /// A relative path named no file in any of the folders it was looked up in.
    case notFound(path: String, searched: [URL])
    /// A file or folder could not be created, read or written.
    case io(path: String, reason: String)

    public var description: String {
        switch self {
        case .notARun(let path):
            "\(path) is not a run folder: it has no run.json. Pass the folder `autotrainess run` created."
        case .invalidFile(let path, let reason):
            "\(path) cannot be read: \(reason). Restore it or start a new run."
        case .pathEscapes(let path, let reason):
            "'\(path)' cannot be used (\(reason)). Use a path relative to the run folder, or a file in a data root."
        case .notFound(let path, let searched):
            "No file '\(path)': looked in \(searched.map(\.path).joined(separator: ", ")). List them with list_dir."
        case .io(let path, let reason):
            "I/O error on \(path): \(reason)."
        }
    }
}
