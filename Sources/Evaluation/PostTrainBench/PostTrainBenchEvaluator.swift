import AgentCore
public import Foundation
public import Runtime

/// Runs a PostTrainBench task's `evaluate.py --model-path … --json-output-file … [--limit N]` in the task folder
/// with the managed Python environment, and reads the metrics from the JSON file it writes (never from stdout).
///
/// Before running it refuses when the task's evaluation files differ from the fingerprint recorded at the start of
/// the run, and it cleans up orphaned vLLM servers and GPU processes before and after (best effort). An attempt
/// that leaves no metrics file is retried along the `cascade`, as the benchmark's own runner does. The inspect log
/// the script writes is directed (`INSPECT_LOG_DIR`) to the output folder and, when found, supplies the samples.
public struct PostTrainBenchEvaluator: Evaluator {
    /// The task folder (holds `evaluate.py`, usually `templates/`).
    public var taskDirectory: URL
    /// The benchmark's name in reports (the task folder's name by default).
    public var benchmark: String
    /// The script, relative to the task folder.
    public var script: String
    /// The fingerprint of the evaluation files taken when the run started; `nil` skips the check.
    public var expectedFingerprint: FileFingerprint?
    /// The files and folders (relative to the task folder) the fingerprint covers.
    public var fingerprintPaths: [String]
    /// The retry schedule.
    public var cascade: MaxTokenCascade
    /// The metric reported as the score; `nil` takes `accuracy`, else the first other metric by name.
    public var primaryMetric: String?
    /// Where metrics files and inspect logs go (one subfolder per evaluation).
    public var outputDirectory: URL
    /// The Python environment the script runs in.
    public var environment: PythonEnvironment
    /// Extra variables for the script's environment (e.g. `HF_HOME`); secrets are not added implicitly.
    public var extraEnvironment: [String: String]
    /// Cleanup run before and after each attempt.
    public var cleanup: GPUProcessCleanup

    /// The paths a PostTrainBench fingerprint covers by default.
    public static let defaultFingerprintPaths = ["evaluate.py", "templates"]

    /// An evaluator for one task folder.
    /// - Parameters:
    ///   - taskDirectory: the task folder.
    ///   - outputDirectory: where metrics files and logs go.
    ///   - expectedFingerprint: the fingerprint recorded at run start (`fingerprint()` computes one).
    ///   - benchmark: the benchmark's name (the task folder's name by default; in the benchmark's own layout the
    ///     folder is always `task/`, so pass the name).
    ///   - cascade: the retry schedule; PostTrainBench's for the benchmark by default.
    ///   - environment: the managed Python environment.
    public init(
        taskDirectory: URL, outputDirectory: URL, expectedFingerprint: FileFingerprint?,
        benchmark: String? = nil, script: String = "evaluate.py",
        fingerprintPaths: [String] = PostTrainBenchEvaluator.defaultFingerprintPaths,
        cascade: MaxTokenCascade? = nil, primaryMetric: String? = nil,
        environment: PythonEnvironment = PythonEnvironment(), extraEnvironment: [String: String] = [:],
        cleanup: GPUProcessCleanup = GPUProcessCleanup()
    ) {
        self.taskDirectory = taskDirectory
        self.outputDirectory = outputDirectory
        self.expectedFingerprint = expectedFingerprint
        self.benchmark = benchmark ?? taskDirectory.lastPathComponent
        self.script = script
        self.fingerprintPaths = fingerprintPaths
        self.cascade = cascade ?? .postTrainBench(task: benchmark ?? taskDirectory.lastPathComponent)
        self.primaryMetric = primaryMetric
        self.environment = environment
        self.extraEnvironment = extraEnvironment
        self.cleanup = cleanup
    }

    /// The current fingerprint of the task's evaluation files (record it when a run starts).
    /// - Throws: `EvaluationError.logUnreadable` when a file cannot be read.
    public func fingerprint() throws -> FileFingerprint {
        try FileFingerprint.compute(paths: fingerprintPaths, in: taskDirectory)
    }

    /// Runs the evaluation.
    /// - Throws: `EvaluationError.modelNotFound`, `.evaluationFilesChanged`, `.invalidInput` (no script),
    ///   `.evaluatorFailed` or `.timedOut` when every attempt failed, `.logUnreadable`/`.logMalformed` for a bad
    ///   metrics file.
    public func evaluate(_ target: EvaluationTarget) async throws -> EvaluationReport {
        try EvaluatedModel.requireExists(target.modelPath)
        let scriptURL = taskDirectory.appendingPathComponent(script)
        guard FileManager.default.fileExists(atPath: scriptURL.path) else {
            throw EvaluationError.invalidInput("no \(script) in the task folder \(taskDirectory.path)")
        }
        if let expectedFingerprint {
            let changes = expectedFingerprint.changes(in: try fingerprint())
            guard changes.isEmpty else { throw EvaluationError.evaluationFilesChanged(changes: changes) }
        }
        let runDirectory = try OutputFolder.create(in: outputDirectory, label: target.label)
        let metricsFile = runDirectory.appendingPathComponent("metrics.json")
        let logDirectory = runDirectory.appendingPathComponent("logs", isDirectory: true)
        var childEnvironment = environment.processEnvironment()
        childEnvironment.merge(extraEnvironment) { _, extra in extra }
        childEnvironment["INSPECT_LOG_DIR"] = logDirectory.path

        let started = Date()
        var lastFailure: EvaluationError?
        for phase in cascade.phases {
            for _ in 0..<max(phase.attempts, 0) {
                if let deadline = target.deadline, Date() >= deadline { break }
                try? FileManager.default.removeItem(at: metricsFile)
                var arguments = [
                    scriptURL.path, "--model-path", target.modelPath, "--json-output-file", metricsFile.path,
                ]
                if let limit = target.limit { arguments += ["--limit", String(limit)] }
                arguments += phase.arguments
                let spec = ProcessSpec(
                    executable: environment.pythonExecutable.path, arguments: arguments, environment: childEnvironment,
                    workingDirectory: taskDirectory, deadline: target.deadline)
                await cleanup.run(environment: childEnvironment)
                let outcome = try await ProcessRunner.run(spec)
                await cleanup.run(environment: childEnvironment)
                if FileManager.default.fileExists(atPath: metricsFile.path) {
                    return try report(
                        metricsFile: metricsFile, logDirectory: logDirectory, target: target,
                        command: spec.commandLine, durationSeconds: Date().timeIntervalSince(started))
                }
                lastFailure = outcome.timedOut
                    ? .timedOut(command: spec.commandLine, seconds: outcome.wallSeconds)
                    : .evaluatorFailed(
                        command: spec.commandLine, exitCode: outcome.exitCode, signal: outcome.signal,
                        outputTail: outcome.outputTail.map { Secrets.redactEnvironmentSecrets($0) })
            }
        }
        throw lastFailure ?? EvaluationError.invalidInput(
            "the evaluation of \(target.modelPath) made no attempt (empty cascade or deadline already passed)")
    }

    func report(
        metricsFile: URL, logDirectory: URL, target: EvaluationTarget, command: [String], durationSeconds: Double
    ) throws -> EvaluationReport {
        let metrics = try Self.readMetrics(metricsFile)
        let metric = primaryMetric ?? (metrics["accuracy"] != nil ? "accuracy"
            : metrics.keys.sorted().first { $0 != "stderr" && $0 != "std" })
        guard let metric, let score = metrics[metric] else {
            let available = metrics.keys.sorted().joined(separator: ", ")
            throw EvaluationError.logMalformed(
                path: metricsFile.path, reason: "no metric '\(primaryMetric ?? "accuracy")' (has: \(available))")
        }
        var samples: [SampleRecord] = []
        let countKeys = ["n", "samples", "sample_count", "num_samples"]
        var sampleCount = countKeys.lazy.compactMap { metrics[$0] }.first.map(Int.init)
        var versions: [String: String] = [:]
        if let logURL = InspectLogLocator.newestLog(in: logDirectory),
            let log = try? InspectLogReader.read(logURL), log.status == .success,
            let inner = try? InspectLogReader.report(from: log, path: logURL.path, target: target)
        {
            samples = inner.samples
            sampleCount = inner.sampleCount
            versions = inner.versions
        }
        versions["\(script) sha256"] = try? FileFingerprint.digest(of: taskDirectory.appendingPathComponent(script))
        return EvaluationReport(
            benchmark: benchmark, metric: metric, score: score, stderr: metrics["stderr"],
            sampleCount: sampleCount ?? 0, limit: target.limit, samples: samples, command: command,
            versions: versions, modelPath: target.modelPath, label: target.label, durationSeconds: durationSeconds)
    }

    /// Reads a metrics file: a JSON object of metric name → number (non-numeric entries are ignored).
    /// - Throws: `EvaluationError.logUnreadable` for an empty or non-JSON file, `.logMalformed` for JSON that is
    ///   not an object of numbers.
    public static func readMetrics(_ url: URL) throws -> [String: Double] {
        guard let data = FileManager.default.contents(atPath: url.path), !data.isEmpty else {
            throw EvaluationError.logUnreadable(path: url.path, reason: "the metrics file is missing or empty")
        }
        guard let value = try? JSONValue(parsing: String(decoding: data, as: UTF8.self)) else {
            throw EvaluationError.logUnreadable(path: url.path, reason: "the metrics file is not valid JSON")
        }
        guard let object = value.objectValue else {
            throw EvaluationError.logMalformed(path: url.path, reason: "expected a JSON object of metric values")
        }
        let metrics = object.compactMapValues(\.doubleValue)
        guard !metrics.isEmpty else {
            throw EvaluationError.logMalformed(path: url.path, reason: "the object holds no numeric metric")
        }
        return metrics
    }
}
