import AgentCore
public import Foundation
public import Runtime

/// Runs `inspect eval` for a task file or registry name against the target's model, always writing a JSON log
/// into a fresh folder, and builds the report from that log in Swift.
///
/// A log whose status is not `success` is a failure even though `inspect eval` exits 0 for it.
public struct InspectEvaluator: Evaluator {
    /// A task file (`task.py`, `task.py@name`) or a registry name (`inspect_evals/gsm8k`).
    public var task: String
    /// How the model is reached.
    public var model: InspectModel
    /// Where logs go (one subfolder per evaluation).
    public var logDirectory: URL
    /// `-M key=value` model arguments, e.g. `["device": "cpu"]`.
    public var modelArguments: [String: String]
    /// `-T key=value` task arguments.
    public var taskArguments: [String: String]
    /// `--max-tokens`, when set.
    public var maxTokens: Int?
    /// `--temperature`; `nil` means 0 (greedy, reproducible) for vLLM and OpenAI-compatible servers, and no flag
    /// for `hf/`, whose transformers backend rejects 0 and decodes greedily by default.
    public var temperature: Double?
    /// More `inspect eval` arguments, added last.
    public var extraArguments: [String]
    /// The Python environment whose `inspect` runs.
    public var environment: PythonEnvironment
    /// Extra variables for inspect's environment (e.g. `LOCAL_API_KEY` for a local server, `VLLM_BASE_URL`).
    /// Only what is listed here reaches inspect; the caller's secrets are otherwise removed.
    public var extraEnvironment: [String: String]
    /// Working directory for inspect (relative task files resolve against it); the caller's by default.
    public var workingDirectory: URL?

    /// An evaluator.
    /// - Parameters:
    ///   - task: a task file or registry name.
    ///   - model: how inspect reaches the model (`hf/` by default).
    ///   - logDirectory: where logs go.
    ///   - environment: the managed Python environment.
    public init(
        task: String, model: InspectModel = .huggingFace, logDirectory: URL,
        modelArguments: [String: String] = [:], taskArguments: [String: String] = [:], maxTokens: Int? = nil,
        temperature: Double? = nil, extraArguments: [String] = [], environment: PythonEnvironment = PythonEnvironment(),
        extraEnvironment: [String: String] = [:], workingDirectory: URL? = nil
    ) {
        self.task = task
        self.model = model
        self.logDirectory = logDirectory
        self.modelArguments = modelArguments
        self.taskArguments = taskArguments
        self.maxTokens = maxTokens
        self.temperature = temperature
        self.extraArguments = extraArguments
        self.environment = environment
        self.extraEnvironment = extraEnvironment
        self.workingDirectory = workingDirectory
    }

    /// The `inspect eval` arguments (after the executable) for `target`, writing into `logFolder`.
    public func arguments(for target: EvaluationTarget, logFolder: URL) -> [String] {
        var arguments = [
            "eval", task, "--model", model.modelString(for: target.modelPath),
            "--log-format", "json", "--log-dir", logFolder.path, "--display", "none",
        ]
        if case .openAICompatible(_, _, let baseURL) = model { arguments += ["--model-base-url", baseURL] }
        if let limit = target.limit { arguments += ["--limit", String(limit)] }
        if let maxTokens { arguments += ["--max-tokens", String(maxTokens)] }
        if let temperature = temperature ?? (model == .huggingFace ? nil : 0) {
            arguments += ["--temperature", String(temperature)]
        }
        for (key, value) in modelArguments.sorted(by: { $0.key < $1.key }) { arguments += ["-M", "\(key)=\(value)"] }
        for (key, value) in taskArguments.sorted(by: { $0.key < $1.key }) { arguments += ["-T", "\(key)=\(value)"] }
        return arguments + extraArguments
    }

    /// Runs the evaluation.
    /// - Throws: `EvaluationError.modelNotFound`, `.evaluatorFailed` (inspect exited non-zero or wrote no log),
    ///   `.timedOut`, `.evaluationNotSuccessful` (the log's status is not success), `.logUnreadable`/`.logMalformed`.
    public func evaluate(_ target: EvaluationTarget) async throws -> EvaluationReport {
        if model.loadsModelFolder { try EvaluatedModel.requireExists(target.modelPath) }
        let logFolder = try OutputFolder.create(in: logDirectory, label: target.label)
        var spec = ProcessSpec(
            executable: environment.binDirectory.appendingPathComponent("inspect").path,
            arguments: arguments(for: target, logFolder: logFolder), environment: [:],
            workingDirectory: workingDirectory, deadline: target.deadline)
        let outcome = try await environment.withCores(deadline: target.deadline) { threads in
            spec.environment = environment.processEnvironment(threads: threads).merging(extraEnvironment) { $1 }
            return try await ProcessRunner.run(spec)
        }
        let secrets = Array(extraEnvironment.values.filter { $0.count >= 8 })
        if outcome.timedOut {
            throw EvaluationError.timedOut(command: spec.commandLine, seconds: outcome.wallSeconds)
        }
        // The folder is fresh for this evaluation, so its one log is this run's. (inspect's `--json` done record
        // would name it too, but only from 0.3.28x on.)
        let logURL = InspectLogLocator.newestLog(in: logFolder)
        guard outcome.exitCode == 0, let logURL else {
            if model.loadsModelFolder,
                let detail = Self.modelLoadFailure(in: outcome.outputTail, modelPath: target.modelPath)
            {
                throw EvaluationError.modelLoadFailed(path: target.modelPath, detail: detail)
            }
            throw EvaluationError.evaluatorFailed(
                command: spec.commandLine, exitCode: outcome.exitCode, signal: outcome.signal,
                outputTail: outcome.outputTail.map { Secrets.redactEnvironmentSecrets($0, extra: secrets) })
        }
        let log = try InspectLogReader.read(logURL)
        return try InspectLogReader.report(
            from: log, path: logURL.path, target: target, command: spec.commandLine,
            durationSeconds: outcome.wallSeconds)
    }

    /// The final Python exception line of a failed run when it names the model folder (transformers reports load
    /// failures that way: `OSError: It looks like the config file at '…/config.json' is not a valid JSON file.`).
    static func modelLoadFailure(in tail: [String], modelPath: String) -> String? {
        let exception = #/^[A-Za-z_][A-Za-z0-9_.]*(Error|Exception): /#
        guard let last = tail.last(where: { $0.firstMatch(of: exception) != nil }), last.contains(modelPath) else {
            return nil
        }
        return last
    }
}
