import AgentCore
import Evaluation
public import Foundation

/// How a task was taken from a PostTrainBench folder: the rules version and the folder's parts (kept in `run.json`
/// with the task, so a resumed run rebuilds the same gate and brief).
public struct PostTrainBenchSettings: Sendable, Hashable, Codable {
    public var rules: PostTrainBenchRules
    public var taskDirectory: String
    public var contaminationChecker: String?
    public var testData: String?
    /// The hours the benchmark gives (for the rules' wording).
    public var hours: Double
    /// A venv with the benchmark's own evaluation stack (vLLM 0.11.0, transformers 4.57): `evaluate.py` and the
    /// submission's load check run there; `nil` uses the managed environment (CPU, or a GPU stack that fits it).
    public var evaluationVenv: String?
    /// The API keys `evaluate.py` needs for grading (``PostTrainBenchTask/gradingKeys``).
    public var gradingKeys: [String]?

    enum CodingKeys: String, CodingKey {
        case rules, hours
        case gradingKeys = "grading_keys"
        case evaluationVenv = "evaluation_venv"
        case taskDirectory = "task_directory"
        case contaminationChecker = "contamination_checker"
        case testData = "test_data"
    }
}

extension PostTrainBenchSettings {
    /// The grading keys' values from `environment` (those set): the only secrets `evaluate.py` gets.
    public func gradingEnvironment(from environment: [String: String] = ProcessInfo.processInfo.environment)
        -> [String: String]
    {
        environment.filter { (gradingKeys ?? []).contains($0.key) && !$0.value.isEmpty }
    }
}

extension TaskSpec {
    /// A task for a PostTrainBench folder: the benchmark's own `evaluate.py` as the evaluator, the folder (and
    /// `extraDataRoots`) as data roots, `test_data.json` indexed by the contamination gate, the time from `timer.sh`
    /// (`hours` from now when the folder has no timer), and the version's rules in the brief.
    /// - Parameters:
    ///   - task: the folder.
    ///   - baseModel: the model to post-train (a Hugging Face folder).
    ///   - template: LlamaFactory's template for it; derived from `config.json` when `nil`.
    ///   - hours: the benchmark's hours (10 by default).
    ///   - remainingSeconds: what `timer.sh` said is left; `nil` uses `hours`.
    ///   - rules: the prompt version.
    ///   - limit: samples per evaluation during iterations (`nil`: the script's own default).
    ///   - evaluationVenv: a venv with the benchmark's evaluation stack (``PostTrainBenchSettings/evaluationVenv``).
    /// - Throws: ``TaskSpecError`` when no template can be derived.
    public static func postTrainBench(
        _ task: PostTrainBenchTask, baseModel: String, template: String? = nil, hours: Double = 10,
        remainingSeconds: Double? = nil, rules: PostTrainBenchRules = .v1_1, limit: Int? = nil,
        extraDataRoots: [String] = [], maxIterations: Int? = nil, evaluationVenv: String? = nil
    ) throws -> TaskSpec {
        let model = URL(fileURLWithPath: baseModel).standardizedFileURL.path
        guard let template = template ?? Self.llamaFactoryTemplate(forModel: URL(fileURLWithPath: model)) else {
            throw TaskSpecError.invalid(
                path: model, field: "template",
                problem: "no LlamaFactory template is known for this model's config.json; pass one (--template)")
        }
        let seconds = max(60, remainingSeconds ?? hours * 3600)
        var spec = TaskSpec(
            name: "ptb-\(task.benchmark)",
            description: "Post-train \(URL(fileURLWithPath: model).lastPathComponent) to maximise its \(task.benchmark) "
                + "score as measured by the task's own evaluate.py (run it with a --limit while you work), and keep "
                + "the best model in final_model/. Free choice of method; several iterations; you have no user to ask.",
            baseModel: model, template: template,
            benchmark: BenchmarkSpec(
                name: task.benchmark, evaluator: .posttrainbench, file: task.testData?.path,
                directory: task.directory.path, limit: limit,
                protect: nil, contaminationFields: task.testData == nil ? nil : ["question", "answer"]),
            budget: "\(Int(seconds))s", reserve: "\(Int(max(60, seconds / 10)))s",
            dataRoots: [task.directory.path] + extraDataRoots, maxIterations: maxIterations)
        spec.posttrainbench = PostTrainBenchSettings(
            rules: rules, taskDirectory: task.directory.path, contaminationChecker: task.contaminationChecker?.path,
            testData: task.testData?.path, hours: hours, evaluationVenv: evaluationVenv,
            gradingKeys: task.gradingKeys.isEmpty ? nil : task.gradingKeys)
        return spec
    }

    /// LlamaFactory's template for a model folder, from `config.json` (`model_type`, else `architectures[0]`) and
    /// the folder's name, as PostTrainBench picks its own templates; `nil` when none fits.
    public static func llamaFactoryTemplate(forModel folder: URL) -> String? {
        let config = (try? Data(contentsOf: folder.appendingPathComponent("config.json")))
            .flatMap { try? JSONValue(parsing: String(decoding: $0, as: UTF8.self)) }
        let type = (config?["model_type"]?.stringValue ?? "").lowercased()
        let architecture = (config?["architectures"]?.arrayValue?.first?.stringValue ?? "").lowercased()
        let name = folder.lastPathComponent.lowercased()
        if type.hasPrefix("qwen3") || architecture.hasPrefix("qwen3") { return "qwen3" }
        if type.hasPrefix("qwen2") || architecture.hasPrefix("qwen2") { return "qwen" }
        if type.hasPrefix("smollm3") || architecture.hasPrefix("smollm3") { return "smollm" }
        if type.hasPrefix("gemma3") || architecture.hasPrefix("gemma3") { return "gemma3" }
        if type.hasPrefix("gemma") { return "gemma" }
        if name.contains("smollm2") || name.contains("smollm") { return "smollm2" }
        if type == "llama" { return "llama3" }
        return nil
    }
}
