import AgentCore
public import Foundation
public import Runtime

/// Evaluates a model folder on a `LocalBenchmark` by generating with transformers in the managed Python
/// environment (batched, greedy, a fixed number of new tokens, the tokenizer's chat template when it has one) and
/// scoring in Swift. Runs on CPU.
///
/// The generation script is `Python/scripts/evaluation/generate.py` (found through `PackageResources`).
public struct LocalBenchmarkEvaluator: Evaluator {
    /// The benchmark.
    public var benchmark: LocalBenchmark
    /// New tokens generated per prompt.
    public var maxNewTokens: Int
    /// Prompts per generation batch.
    public var batchSize: Int
    /// The torch device (`cpu` by default).
    public var device: String
    /// Where prompts, outputs and generation info go (one subfolder per evaluation).
    public var workDirectory: URL
    /// The Python environment that generates.
    public var environment: PythonEnvironment
    /// The sandbox for `code` items; `nil` uses the environment's Python with the default limits.
    public var codeSandbox: CodeSandbox?
    /// Called with (done, total) as generation progresses.
    public var onProgress: @Sendable (Int, Int) -> Void

    /// An evaluator.
    /// - Parameters:
    ///   - benchmark: the items to evaluate.
    ///   - workDirectory: where the run's files go.
    ///   - maxNewTokens: the fixed generation budget per prompt.
    ///   - batchSize: prompts per batch.
    ///   - environment: the managed Python environment.
    public init(
        benchmark: LocalBenchmark, workDirectory: URL, maxNewTokens: Int = 256, batchSize: Int = 8,
        device: String = "cpu", environment: PythonEnvironment = PythonEnvironment(), codeSandbox: CodeSandbox? = nil,
        onProgress: @escaping @Sendable (Int, Int) -> Void = { _, _ in }
    ) {
        self.benchmark = benchmark
        self.workDirectory = workDirectory
        self.maxNewTokens = maxNewTokens
        self.batchSize = batchSize
        self.device = device
        self.environment = environment
        self.codeSandbox = codeSandbox
        self.onProgress = onProgress
    }

    /// The generation script.
    public static var generationScript: URL {
        PackageResources.python.appendingPathComponent("scripts/evaluation/generate.py")
    }

    /// Generates, scores and reports.
    /// - Throws: `EvaluationError.modelNotFound`, `.modelLoadFailed` (the script could not load model or
    ///   tokenizer), `.evaluatorFailed` (any other crash), `.timedOut`, `.logMalformed` (outputs missing or bad),
    ///   `.invalidInput` (no Python environment).
    public func evaluate(_ target: EvaluationTarget) async throws -> EvaluationReport {
        try EvaluatedModel.requireExists(target.modelPath)
        guard FileManager.default.isExecutableFile(atPath: environment.pythonExecutable.path) else {
            throw EvaluationError.invalidInput(
                "no Python at \(environment.pythonExecutable.path): provision the environment first "
                    + "(PythonEnvironment.ensure(), or `autotrainess doctor`)")
        }
        let items = target.limit.map { Array(benchmark.items.prefix(max($0, 0))) } ?? benchmark.items
        guard !items.isEmpty else {
            throw EvaluationError.invalidInput("nothing to evaluate: the limit \(target.limit ?? 0) selects no item")
        }
        let folder = try OutputFolder.create(in: workDirectory, label: target.label)
        let promptsFile = folder.appendingPathComponent("prompts.jsonl")
        let outputsFile = folder.appendingPathComponent("outputs.jsonl")
        let infoFile = folder.appendingPathComponent("generation_info.json")
        try writePrompts(items, to: promptsFile)

        var spec = ProcessSpec(
            executable: environment.pythonExecutable.path,
            arguments: [
                Self.generationScript.path, "--model-path", target.modelPath, "--input", promptsFile.path,
                "--output", outputsFile.path, "--info-file", infoFile.path, "--max-new-tokens", String(maxNewTokens),
                "--batch-size", String(batchSize), "--device", device,
            ],
            environment: environment.processEnvironment(), workingDirectory: folder, deadline: target.deadline)
        let loadError = LineCollector()
        let progress = onProgress
        let outcome = try await environment.withCores(deadline: target.deadline) { threads in
            spec.environment = environment.processEnvironment(threads: threads)
            return try await ProcessRunner.run(spec) { line in
                guard case .stderr(let text) = line else { return }
                if text.hasPrefix("MODEL_LOAD_ERROR: ") {
                    loadError.append(String(text.dropFirst("MODEL_LOAD_ERROR: ".count)))
                } else if text.hasPrefix("progress "), let counts = Self.progressCounts(text) {
                    progress(counts.done, counts.total)
                }
            }
        }
        if outcome.timedOut { throw EvaluationError.timedOut(command: spec.commandLine, seconds: outcome.wallSeconds) }
        if outcome.exitCode == 3 {
            let detail = loadError.lines.first ?? outcome.outputTail.suffix(3).joined(separator: " ")
            throw EvaluationError.modelLoadFailed(path: target.modelPath, detail: detail)
        }
        guard outcome.succeeded else {
            throw EvaluationError.evaluatorFailed(
                command: spec.commandLine, exitCode: outcome.exitCode, signal: outcome.signal,
                outputTail: outcome.outputTail)
        }
        let generations = try Self.readGenerations(outputsFile, expected: items.map(\.id))
        let samples = try await score(items, generations: generations)
        var versions = Self.readInfo(infoFile)
        versions["generate.py sha256"] = try? FileFingerprint.digest(of: Self.generationScript)
        let scores = samples.map(\.score)
        let mean = scores.reduce(0, +) / Double(scores.count)
        return EvaluationReport(
            benchmark: benchmark.name, metric: "accuracy", score: mean, stderr: Self.standardError(scores),
            sampleCount: samples.count, limit: target.limit, samples: samples, command: spec.commandLine,
            versions: versions, modelPath: target.modelPath, label: target.label, durationSeconds: outcome.wallSeconds)
    }

    /// One generated answer.
    struct Generation: Decodable {
        var id: String
        var output: String
        var durationSeconds: Double?
        var truncated: Bool?

        enum CodingKeys: String, CodingKey {
            case id, output, truncated
            case durationSeconds = "duration_seconds"
        }
    }

    func writePrompts(_ items: [BenchmarkItem], to url: URL) throws {
        struct Prompt: Encodable { var id: String, prompt: String }
        let encoder = JSONEncoder()
        var data = Data()
        for item in items {
            data.append(try encoder.encode(Prompt(id: item.id, prompt: item.prompt)))
            data.append(0x0A)
        }
        do {
            try data.write(to: url)
        } catch {
            throw EvaluationError.invalidInput("cannot write prompts to \(url.path): \(error.localizedDescription)")
        }
    }

    func score(_ items: [BenchmarkItem], generations: [String: Generation]) async throws -> [SampleRecord] {
        let sandbox = codeSandbox ?? CodeSandbox(pythonExecutable: environment.pythonExecutable.path)
        var samples: [SampleRecord] = []
        for item in items {
            guard let generation = generations[item.id] else { continue }
            let score: Double
            if let text = AnswerMatching.score(generation.output, for: item) {
                score = text
            } else {
                let program = AnswerMatching.code(in: generation.output) + "\n\n" + item.target + "\n"
                score = try await sandbox.run(program).passed ? 1 : 0
            }
            samples.append(SampleRecord(
                id: item.id, input: item.prompt, target: item.target, output: generation.output, score: score,
                durationSeconds: generation.durationSeconds))
        }
        return samples
    }

    static func readGenerations(_ url: URL, expected: [String]) throws -> [String: Generation] {
        guard let text = try? String(contentsOf: url, encoding: .utf8) else {
            throw EvaluationError.logUnreadable(path: url.path, reason: "the generation script wrote no outputs")
        }
        var generations: [String: Generation] = [:]
        for (index, line) in text.split(separator: "\n").enumerated() {
            guard let generation = try? JSONDecoder().decode(Generation.self, from: Data(line.utf8)) else {
                throw EvaluationError.logMalformed(
                    path: url.path, reason: "line \(index + 1) is not a generation record")
            }
            generations[generation.id] = generation
        }
        let missing = expected.filter { generations[$0] == nil }
        guard missing.isEmpty else {
            throw EvaluationError.logMalformed(
                path: url.path,
                reason: "no output for \(missing.count) item(s): \(missing.prefix(5).joined(separator: ", "))")
        }
        return generations
    }

    static func readInfo(_ url: URL) -> [String: String] {
        guard let text = try? String(contentsOf: url, encoding: .utf8),
            let object = try? JSONValue(parsing: text).objectValue
        else { return [:] }
        return object.mapValues { value in
            switch value {
            case .string(let text): text
            case .number(let number): number.rounded() == number ? String(Int(number)) : String(number)
            case .bool(let flag): String(flag)
            default: value.compactText
            }
        }
    }

    static func progressCounts(_ line: String) -> (done: Int, total: Int)? {
        let parts = line.dropFirst("progress ".count).split(separator: "/")
        guard parts.count == 2, let done = Int(parts[0]), let total = Int(parts[1]) else { return nil }
        return (done, total)
    }

    /// Standard error of the mean (sample standard deviation over √n); `nil` below two samples.
    static func standardError(_ scores: [Double]) -> Double? {
        guard scores.count > 1 else { return nil }
        let count = Double(scores.count)
        let mean = scores.reduce(0, +) / count
        let variance = scores.reduce(0) { $0 + ($1 - mean) * ($1 - mean) } / (count - 1)
        return (variance / count).squareRoot()
    }
}
