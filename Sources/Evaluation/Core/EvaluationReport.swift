import AgentCore
public import Foundation

/// What to evaluate.
public struct EvaluationTarget: Sendable, Hashable, Codable {
    /// Folder of a full model (name it neutrally: some evaluators pick templates from the path).
    public var modelPath: String
    /// A human label, e.g. `"baseline"` or a checkpoint id.
    public var label: String
    /// Evaluate at most this many samples; `nil` means the whole benchmark.
    public var limit: Int?
    /// Evaluation must end by this time.
    public var deadline: Date?

    public init(modelPath: String, label: String, limit: Int? = nil, deadline: Date? = nil) {
        self.modelPath = modelPath
        self.label = label
        self.limit = limit
        self.deadline = deadline
    }
}

/// One scored sample.
public struct SampleRecord: Sendable, Hashable, Codable {
    public var id: String
    public var input: String
    public var target: String
    public var output: String
    /// 1 for correct, 0 for wrong; fractional for partial-credit metrics.
    public var score: Double
    public var durationSeconds: Double?

    public init(
        id: String, input: String, target: String, output: String, score: Double, durationSeconds: Double? = nil
    ) {
        self.id = id
        self.input = input
        self.target = target
        self.output = output
        self.score = score
        self.durationSeconds = durationSeconds
    }
}

/// The result of one evaluation: never partial (a failed evaluation throws instead).
public struct EvaluationReport: Sendable, Hashable, Codable {
    public var benchmark: String
    public var metric: String
    public var score: Double
    /// Standard error of `score`.
    public var stderr: Double?
    /// Number of samples scored.
    public var sampleCount: Int
    public var limit: Int?
    public var samples: [SampleRecord]
    /// The exact command that produced the report.
    public var command: [String]
    /// Versions of the tools involved (evaluator, Python packages).
    public var versions: [String: String]
    public var modelPath: String
    public var label: String
    public var durationSeconds: Double

    public init(
        benchmark: String, metric: String, score: Double, stderr: Double?, sampleCount: Int, limit: Int?,
        samples: [SampleRecord], command: [String], versions: [String: String], modelPath: String, label: String,
        durationSeconds: Double
    ) {
        self.benchmark = benchmark
        self.metric = metric
        self.score = score
        self.stderr = stderr
        self.sampleCount = sampleCount
        self.limit = limit
        self.samples = samples
        self.command = command
        self.versions = versions
        self.modelPath = modelPath
        self.label = label
        self.durationSeconds = durationSeconds
    }
}

/// Something that scores a model on a benchmark. One required method.
public protocol Evaluator: Sendable {
    /// Evaluates `target`.
    /// - Throws: an error naming the cause (missing model, load failure, evaluator crash, unreadable log);
    ///   never a partial report.
    func evaluate(_ target: EvaluationTarget) async throws -> EvaluationReport
}
