import AgentCore
public import Foundation
import Yams

/// A task file of the `posttrainbench` kind: a PostTrainBench task folder and the base model, the same settings as
/// `autotrainess run --posttrainbench` (and usable wherever a task file is: `run --task`, `mcp --task`).
///
/// ```yaml
/// kind: posttrainbench
/// task: ~/task                        # the task folder: evaluate.py, templates/, timer.sh
/// base_model: /models/Qwen3-1.7B-Base
/// rules: v1.1                         # v1 | v1.1 (default)
/// hours: 10                           # the benchmark's hours; timer.sh, when present, wins
/// limit: 200                          # evaluate.py --limit while iterating (optional)
/// template: qwen3                     # derived from config.json when absent
/// data_roots: [data]                  # extra training sources the agent may read (optional)
/// max_iterations: 5                   # optional
/// evaluation_venv: ~/ptb-venv          # the benchmark's vLLM stack for evaluate.py (scripts/install-posttrainbench-gpu-env.sh)
/// ```
/// Relative paths are resolved against the file's folder; `~` against the home folder.
public struct PostTrainBenchTaskFile: Sendable, Hashable, Codable {
    public var kind: String
    public var task: String
    public var baseModel: String
    public var rules: PostTrainBenchRules?
    public var hours: Double?
    public var limit: Int?
    public var template: String?
    public var dataRoots: [String]?
    public var maxIterations: Int?
    public var evaluationVenv: String?

    public init(
        task: String, baseModel: String, rules: PostTrainBenchRules? = nil, hours: Double? = nil, limit: Int? = nil,
        template: String? = nil, dataRoots: [String]? = nil, maxIterations: Int? = nil, evaluationVenv: String? = nil
    ) {
        self.kind = Self.kindName
        self.task = task
        self.baseModel = baseModel
        self.rules = rules
        self.hours = hours
        self.limit = limit
        self.template = template
        self.dataRoots = dataRoots
        self.maxIterations = maxIterations
        self.evaluationVenv = evaluationVenv
    }

    /// The value of `kind:` that selects this shape.
    public static let kindName = "posttrainbench"

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, task, rules, hours, limit, template
        case baseModel = "base_model"
        case dataRoots = "data_roots"
        case maxIterations = "max_iterations"
        case evaluationVenv = "evaluation_venv"
    }

    /// Whether a task file's text is of this kind (`kind: posttrainbench` at the top level).
    public static func matches(_ text: String) -> Bool {
        ((try? Yams.load(yaml: text)) as? [String: Any])?["kind"] as? String == kindName
    }

    /// Reads the file's text; paths resolved against `folder`.
    /// - Throws: ``TaskSpecError`` naming the file and field.
    public static func decode(_ text: String, path: String, folder: URL) throws -> PostTrainBenchTaskFile {
        if let root = (try? Yams.load(yaml: text)) as? [String: Any] {
            try TaskSpec.rejectUnknown(root.keys, known: CodingKeys.allCases.map(\.rawValue), path: path)
        }
        var file: PostTrainBenchTaskFile
        do {
            file = try YAMLDecoder().decode(PostTrainBenchTaskFile.self, from: text)
        } catch let error as DecodingError {
            let (field, problem) = TaskSpec.describe(error)
            throw TaskSpecError.invalid(path: path, field: field, problem: field == "rules" ? "must be v1 or v1.1" : problem)
        }
        func absolute(_ value: String) -> String {
            let expanded = NSString(string: value).expandingTildeInPath
            return expanded.hasPrefix("/") ? expanded : folder.appendingPathComponent(expanded).standardizedFileURL.path
        }
        file.task = absolute(file.task)
        file.baseModel = absolute(file.baseModel)
        file.dataRoots = file.dataRoots?.map(absolute)
        file.evaluationVenv = file.evaluationVenv.map(absolute)
        return file
    }

    /// The run's task: ``TaskSpec/postTrainBench(_:baseModel:template:hours:remainingSeconds:rules:limit:extraDataRoots:maxIterations:)``
    /// over the folder.
    /// - Parameter remainingSeconds: what `timer.sh` said is left, when it was read; the run reads it again when it
    ///   starts either way.
    /// - Throws: ``PostTrainBenchError`` for a folder without `evaluate.py`, ``TaskSpecError`` for a missing model,
    ///   an evaluation venv without `bin/python` or an unknown template.
    public func spec(remainingSeconds: Double? = nil, path: String) throws -> TaskSpec {
        let folder = try PostTrainBenchTask(directory: URL(fileURLWithPath: task))
        if let evaluationVenv, !FileManager.default.isExecutableFile(atPath: evaluationVenv + "/bin/python") {
            throw TaskSpecError.invalid(
                path: path, field: "evaluation_venv",
                problem: "no venv at \(evaluationVenv) (bin/python is missing); create it with "
                    + "scripts/install-posttrainbench-gpu-env.sh")
        }
        guard FileManager.default.fileExists(atPath: baseModel + "/config.json") else {
            throw TaskSpecError.invalid(
                path: path, field: "base_model", problem: "no Hugging Face model folder (config.json) at \(baseModel)")
        }
        return try TaskSpec.postTrainBench(
            folder, baseModel: baseModel, template: template, hours: hours ?? 10, remainingSeconds: remainingSeconds,
            rules: rules ?? .v1_1, limit: limit, extraDataRoots: dataRoots ?? [], maxIterations: maxIterations,
            evaluationVenv: evaluationVenv)
    }
}
