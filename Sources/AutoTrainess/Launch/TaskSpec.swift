import AgentCore
public import Foundation
import Yams

/// A task as a user writes it in a YAML file (`tasks/<name>.yaml`): the base model, the benchmark and its
/// evaluator, the budget, and optionally a ``Recipe`` for runs without a language model.
///
/// ```yaml
/// name: gsm8k
/// base_model: /models/base-1.7b
/// template: qwen3
/// budget: 10h
/// benchmark:
///   name: gsm8k
///   evaluator: local            # local | inspect | posttrainbench
///   file: data/gsm8k_test.jsonl # local: JSONL with id, prompt, target, scorer
///   limit: 200
/// data_roots: [data]
/// ```
/// Relative paths are resolved against the task file's folder.
public struct TaskSpec: Sendable, Hashable, Codable {
    /// A short name, used in the run id.
    public var name: String
    /// What the agent is asked to achieve; a default is derived from the benchmark when absent.
    public var description: String?
    /// Folder of the base model.
    public var baseModel: String
    /// LlamaFactory's chat template name for the base model.
    public var template: String
    /// The benchmark and how to evaluate on it.
    public var benchmark: BenchmarkSpec
    /// Wall-clock budget of the whole run, e.g. `"10h"`, `"45m"`, `"900s"`.
    public var budget: String
    /// Time kept back for the final evaluation and promotion; a tenth of the budget by default.
    public var reserve: String?
    /// Longest training sample in tokens.
    public var cutoffLength: Int?
    /// Folders the agent may read training sources from.
    public var dataRoots: [String]?
    /// GPU indices the run may use; none means CPU or whatever is visible.
    public var gpus: [Int]?
    /// Iterations after which the run finishes; none means until the budget ends.
    public var maxIterations: Int?
    /// What the recipe policy does when no language model drives the run.
    public var recipe: Recipe?
    /// The most a driving model may cost, in US dollars; a default applies when a model drives and this is unset.
    public var maxCostUSD: Double?
    /// The most tokens a driving model may use; a default applies when a model drives and this is unset.
    public var maxTokens: Int?
    /// Set when the task was taken from a PostTrainBench folder (`autotrainess run --posttrainbench`).
    public var posttrainbench: PostTrainBenchSettings?
    /// Where training jobs run (`executor:`); this machine when absent.
    public var executor: ExecutorSpec?
    /// An outside model `data action=generate mode=teacher` may sample answers from (`teacher: {provider, model,
    /// base_url}`); refused anyway where the task's rules forbid external models (PostTrainBench v1.1).
    public var teacher: TeacherSpec?

    /// Creates a task.
    public init(
        name: String, description: String? = nil, baseModel: String, template: String, benchmark: BenchmarkSpec,
        budget: String, reserve: String? = nil, cutoffLength: Int? = nil, dataRoots: [String]? = nil,
        gpus: [Int]? = nil, maxIterations: Int? = nil, recipe: Recipe? = nil
    ) {
        self.name = name
        self.description = description
        self.baseModel = baseModel
        self.template = template
        self.benchmark = benchmark
        self.budget = budget
        self.reserve = reserve
        self.cutoffLength = cutoffLength
        self.dataRoots = dataRoots
        self.gpus = gpus
        self.maxIterations = maxIterations
        self.recipe = recipe
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, description, template, benchmark, budget, reserve, gpus, recipe, posttrainbench, executor, teacher
        case baseModel = "base_model"
        case cutoffLength = "cutoff_len"
        case dataRoots = "data_roots"
        case maxIterations = "max_iterations"
        case maxCostUSD = "max_cost_usd"
        case maxTokens = "max_tokens"
    }

    /// The budget in seconds.
    /// - Throws: ``TaskSpecError`` when `budget` or `reserve` is not a duration.
    public func budgetSeconds() throws -> (total: Double, reserve: Double) {
        let total = try Self.seconds(budget, field: "budget")
        let reserve = try reserve.map { try Self.seconds($0, field: "reserve") } ?? total / 10
        return (total, reserve)
    }

    /// What the agent is told to do.
    public var taskDescription: String {
        description
            ?? "Post-train the base model at \(baseModel) to improve its \(benchmark.name) score, measured by the "
            + "task's \(benchmark.evaluator.rawValue) evaluator, within the budget."
    }

    /// Parses a duration such as `"10h"`, `"1h30m"`, `"45m"`, `"900s"` or `"900"` (seconds).
    /// - Throws: ``TaskSpecError/invalidDuration(field:value:)``.
    public static func seconds(_ text: String, field: String) throws -> Double {
        let trimmed = text.trimmingCharacters(in: .whitespaces).lowercased()
        if let plain = Double(trimmed), plain > 0 { return plain }
        var total = 0.0
        var number = ""
        for character in trimmed {
            if character.isNumber || character == "." {
                number.append(character)
                continue
            }
            let unit: Double
            switch character {
            case "d": unit = 86_400
            case "h": unit = 3_600
            case "m": unit = 60
            case "s": unit = 1
            default: throw TaskSpecError.invalidDuration(field: field, value: text)
            }
            guard let value = Double(number) else { throw TaskSpecError.invalidDuration(field: field, value: text) }
            total += value * unit
            number = ""
        }
        guard number.isEmpty, total > 0 else { throw TaskSpecError.invalidDuration(field: field, value: text) }
        return total
    }
}

/// The benchmark of a task and the evaluator that scores it.
public struct BenchmarkSpec: Sendable, Hashable, Codable {
    /// Which evaluator runs the benchmark.
    public enum EvaluatorKind: String, Sendable, Hashable, Codable, CaseIterable {
        /// A JSONL benchmark generated with the local model through transformers (``LocalBenchmarkEvaluator``).
        case local
        /// An inspect_ai task (``InspectEvaluator``).
        case inspect
        /// A PostTrainBench task folder with `evaluate.py` (``PostTrainBenchEvaluator``).
        case posttrainbench
    }

    /// The benchmark's name.
    public var name: String
    public var evaluator: EvaluatorKind
    /// `local`: the benchmark JSONL.
    public var file: String?
    /// `inspect`: a task file or registry name.
    public var task: String?
    /// `posttrainbench`: the task folder holding `evaluate.py`.
    public var directory: String?
    /// Items in the benchmark; sets the evaluation sample floor.
    public var size: Int?
    /// Samples per evaluation; none for all.
    public var limit: Int?
    /// `local`: tokens generated per item.
    public var maxNewTokens: Int?
    /// `local`: items generated together.
    public var batchSize: Int?
    /// Files and folders (relative to the task file) whose change blocks evaluation; the benchmark file or the
    /// task folder's `evaluate.py` and `templates/` by default.
    public var protect: [String]?
    /// The benchmark fields the contamination guard indexes; question- and answer-like fields by default. Leave out
    /// instructions every item shares, or every training sample in the same format matches them.
    public var contaminationFields: [String]?

    /// Creates a benchmark description.
    public init(
        name: String, evaluator: EvaluatorKind, file: String? = nil, task: String? = nil, directory: String? = nil,
        size: Int? = nil, limit: Int? = nil, maxNewTokens: Int? = nil, batchSize: Int? = nil, protect: [String]? = nil,
        contaminationFields: [String]? = nil
    ) {
        self.name = name
        self.evaluator = evaluator
        self.file = file
        self.task = task
        self.directory = directory
        self.size = size
        self.limit = limit
        self.maxNewTokens = maxNewTokens
        self.batchSize = batchSize
        self.protect = protect
        self.contaminationFields = contaminationFields
    }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case name, evaluator, file, task, directory, size, limit, protect
        case maxNewTokens = "max_new_tokens"
        case batchSize = "batch_size"
        case contaminationFields = "contamination_fields"
    }
}

/// A task file that cannot be used; the message names the file and field and says what to write instead.
public enum TaskSpecError: Error, Sendable, Hashable, CustomStringConvertible {
    case unreadable(path: String, reason: String)
    case invalid(path: String, field: String, problem: String)
    case invalidDuration(field: String, value: String)

    public var description: String {
        switch self {
        case .unreadable(let path, let reason):
            "Cannot read the task file \(path): \(reason)."
        case .invalid(let path, let field, let problem):
            "Task file \(path), field '\(field)': \(problem)."
        case .invalidDuration(let field, let value):
            "'\(field)' is '\(value)', which is not a duration: write e.g. 10h, 1h30m, 45m or 900s."
        }
    }
}

extension TaskSpec {
    /// Reads a task file and resolves its relative paths against the file's folder.
    /// - Throws: ``TaskSpecError`` naming the file and field when it cannot be read or is incomplete.
    public static func load(from file: URL) throws -> TaskSpec {
        let text: String
        do {
            text = try String(contentsOf: file, encoding: .utf8)
        } catch {
            throw TaskSpecError.unreadable(path: file.path, reason: "\(error.localizedDescription)")
        }
        if PostTrainBenchTaskFile.matches(text) {
            return try PostTrainBenchTaskFile.decode(text, path: file.path, folder: file.deletingLastPathComponent())
                .spec(path: file.path)
        }
        // Before decoding, so that a misspelled required key is named as such rather than reported missing.
        try Self.rejectUnknownKeys(in: text, path: file.path)
        var spec: TaskSpec
        do {
            spec = try YAMLDecoder().decode(TaskSpec.self, from: text)
        } catch DecodingError.dataCorrupted(let context) where context.codingPath.isEmpty {
            let reason = context.underlyingError.map { "\($0)" } ?? context.debugDescription
            throw TaskSpecError.unreadable(path: file.path, reason: "not valid YAML: \(reason)")
        } catch let error as DecodingError {
            let (field, problem) = Self.describe(error)
            throw TaskSpecError.invalid(path: file.path, field: field, problem: problem)
        } catch {
            throw TaskSpecError.unreadable(path: file.path, reason: "not valid YAML: \(error)")
        }
        spec.resolvePaths(against: file.deletingLastPathComponent())
        try spec.validate(path: file.path)
        return spec
    }

    /// Checks what decoding cannot: the evaluator's required field, durations, existing paths.
    /// - Throws: ``TaskSpecError/invalid(path:field:problem:)``.
    public func validate(path: String) throws {
        func fail(_ field: String, _ problem: String) -> TaskSpecError {
            .invalid(path: path, field: field, problem: problem)
        }
        do { _ = try budgetSeconds() } catch { throw fail("budget", "\(error)") }
        _ = try executor?.make(path: path)
        guard FileManager.default.fileExists(atPath: baseModel) else {
            throw fail("base_model", "no model folder at \(baseModel); give the folder of a Hugging Face model")
        }
        switch benchmark.evaluator {
        case .local:
            guard let file = benchmark.file, FileManager.default.fileExists(atPath: file) else {
                throw fail("benchmark.file", "the local evaluator needs an existing JSONL file (id, prompt, target)")
            }
        case .inspect:
            guard benchmark.task != nil else {
                throw fail("benchmark.task", "the inspect evaluator needs a task file or registry name")
            }
        case .posttrainbench:
            guard let directory = benchmark.directory,
                FileManager.default.fileExists(atPath: directory + "/evaluate.py")
            else { throw fail("benchmark.directory", "the posttrainbench evaluator needs a folder with evaluate.py") }
        }
    }

    private mutating func resolvePaths(against folder: URL) {
        func absolute(_ path: String) -> String {
            path.hasPrefix("/") ? path : folder.appendingPathComponent(path).standardizedFileURL.path
        }
        baseModel = absolute(baseModel)
        benchmark.file = benchmark.file.map(absolute)
        benchmark.directory = benchmark.directory.map(absolute)
        if let task = benchmark.task, task.hasSuffix(".py") { benchmark.task = absolute(task) }
        benchmark.protect = benchmark.protect?.map(absolute)
        dataRoots = dataRoots?.map(absolute)
        if var resolved = recipe {
            resolved.sources = resolved.sources.map(absolute)
            recipe = resolved
        }
    }

    /// A misspelled key would otherwise be ignored silently: the first of `keys` (sorted) that is not `known` is
    /// named, with the closest known key and the list; task files, their sections and `--executor` share it.
    /// - Throws: ``TaskSpecError/invalid(path:field:problem:)`` with `prefix` before the key.
    static func rejectUnknown(_ keys: some Sequence<String>, known: [String], prefix: String = "", path: String) throws {
        for key in keys.sorted() where !known.contains(key) {
            let hint = NameSuggestion.closest(to: key, among: known).map { " (did you mean '\($0)'?)" } ?? ""
            throw TaskSpecError.invalid(
                path: path, field: prefix + key, problem: "unknown key\(hint); known keys: \(known.joined(separator: ", "))")
        }
    }

    /// Checks the task file's keys and those of its sections (``rejectUnknown(_:known:prefix:path:)``).
    private static func rejectUnknownKeys(in text: String, path: String) throws {
        func check(_ object: Any?, known: [String], prefix: String) throws {
            guard let keys = (object as? [String: Any])?.keys else { return }
            try rejectUnknown(keys, known: known, prefix: prefix, path: path)
        }
        let root = try? Yams.load(yaml: text)
        try check(root, known: CodingKeys.allCases.map(\.rawValue), prefix: "")
        try check(
            (root as? [String: Any])?["benchmark"], known: BenchmarkSpec.CodingKeys.allCases.map(\.rawValue),
            prefix: "benchmark.")
        try check(
            (root as? [String: Any])?["recipe"], known: Recipe.fieldNames,
            prefix: "recipe.")
        try check((root as? [String: Any])?["executor"], known: ExecutorSpec.fieldNames, prefix: "executor.")
        try check((root as? [String: Any])?["teacher"], known: ["provider", "model", "base_url"], prefix: "teacher.")
    }

    /// The field a decoding error is about, and the problem in words.
    static func describe(_ error: DecodingError) -> (field: String, problem: String) {
        func path(_ keys: [any CodingKey]) -> String {
            keys.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return (path(context.codingPath + [key]), "missing; it is required")
        case .typeMismatch(let type, let context):
            return (path(context.codingPath), "should be \(type)")
        case .valueNotFound(let type, let context):
            return (path(context.codingPath), "is empty; expected \(type)")
        case .dataCorrupted(let context):
            return (path(context.codingPath), context.debugDescription)
        @unknown default:
            return ("?", "\(error)")
        }
    }
}

/// The teacher of a task file: a provider name as `--provider` takes it, the model, an optional API root.
public struct TeacherSpec: Sendable, Hashable, Codable {
    public var provider: String
    public var model: String
    public var baseURL: String?

    public init(provider: String, model: String, baseURL: String? = nil) {
        self.provider = provider
        self.model = model
        self.baseURL = baseURL
    }

    enum CodingKeys: String, CodingKey {
        case provider, model
        case baseURL = "base_url"
    }
}
