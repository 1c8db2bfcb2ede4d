import Foundation

/// The parts of an inspect_ai `EvalLog` (JSON log format, inspect-ai 0.3.x) that a report needs.
///
/// Decoded leniently: unknown fields are skipped, sample ids may be strings or integers, targets strings or lists,
/// inputs strings or chat messages, and score values letters (`C`/`I`/`P`/`N`), numbers, booleans or numeric text.
public struct InspectLog: Sendable, Hashable, Decodable {
    /// How the evaluation ended.
    public enum Status: String, Sendable, Hashable, Codable {
        /// Still running, or crashed before writing its final header.
        case started
        /// Finished and scored.
        case success
        /// Stopped by the user.
        case cancelled
        /// Failed; `error` says why.
        case error
    }

    /// Log format version (2 for inspect-ai 0.3.x).
    public var version: Int
    /// How the evaluation ended.
    public var status: Status
    /// What was run.
    public var eval: Spec
    /// Aggregate scores; absent unless the evaluation finished.
    public var results: Results?
    /// The failure, when `status` is `error`.
    public var error: Failure?
    /// Per-sample records (empty when the log was written with `--no-log-samples`).
    public var samples: [Sample]
    /// Reduced per-sample scores per scorer (floats), when inspect wrote them.
    public var reductions: [Reduction]

    /// The evaluation's specification.
    public struct Spec: Sendable, Hashable, Decodable {
        /// Task name.
        public var task: String
        /// Task id (unique per run).
        public var taskId: String
        /// The task file, when the task came from a file.
        public var taskFile: String?
        /// Model string, e.g. `hf/path` or `vllm/name`.
        public var model: String
        /// Creation time (ISO 8601 text).
        public var created: String
        /// Number of samples in the dataset.
        public var datasetSamples: Int?
        /// The sample limit the run used, when one was given as a count.
        public var limit: Int?
        /// Package versions, e.g. `["inspect_ai": "0.3.285"]`.
        public var packages: [String: String]

        enum CodingKeys: String, CodingKey {
            case task, model, created, dataset, config, packages
            case taskId = "task_id"
            case taskFile = "task_file"
        }

        enum DatasetKeys: String, CodingKey { case samples }
        enum ConfigKeys: String, CodingKey { case limit }

        /// Decodes inspect's `EvalSpec`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            task = try container.decode(String.self, forKey: .task)
            taskId = try container.decodeIfPresent(String.self, forKey: .taskId) ?? ""
            taskFile = try container.decodeIfPresent(String.self, forKey: .taskFile)
            model = try container.decode(String.self, forKey: .model)
            created = try container.decodeIfPresent(String.self, forKey: .created) ?? ""
            packages = (try? container.decodeIfPresent([String: String].self, forKey: .packages)) ?? [:]
            if let dataset = try? container.nestedContainer(keyedBy: DatasetKeys.self, forKey: .dataset) {
                datasetSamples = try? dataset.decodeIfPresent(Int.self, forKey: .samples)
            }
            if let config = try? container.nestedContainer(keyedBy: ConfigKeys.self, forKey: .config) {
                limit = try? config.decodeIfPresent(Int.self, forKey: .limit)
            }
        }
    }

    /// Aggregate results.
    public struct Results: Sendable, Hashable, Decodable {
        /// Samples in the evaluation.
        public var totalSamples: Int
        /// Samples that completed.
        public var completedSamples: Int
        /// One entry per scorer (and reducer).
        public var scores: [Score]
        /// The score inspect shows first, when it named one.
        public var headline: Headline?

        enum CodingKeys: String, CodingKey {
            case scores, headline
            case totalSamples = "total_samples"
            case completedSamples = "completed_samples"
        }

        /// Decodes inspect's `EvalResults`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            totalSamples = try container.decode(Int.self, forKey: .totalSamples)
            completedSamples = try container.decode(Int.self, forKey: .completedSamples)
            scores = try container.decodeIfPresent([Score].self, forKey: .scores) ?? []
            headline = try? container.decodeIfPresent(Headline.self, forKey: .headline)
        }
    }

    /// One scorer's aggregate metrics.
    public struct Score: Sendable, Hashable, Decodable {
        /// Score name (usually the scorer's).
        public var name: String
        /// Scorer name.
        public var scorer: String
        /// Samples this scorer scored.
        public var scoredSamples: Int?
        /// Metric name → value (e.g. `accuracy`, `stderr`); non-finite values are kept as `nan`/`inf`.
        public var metrics: [String: Double]

        enum CodingKeys: String, CodingKey {
            case name, scorer, metrics
            case scoredSamples = "scored_samples"
        }

        struct Metric: Decodable { var value: Double }

        /// Decodes inspect's `EvalScore`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            name = try container.decode(String.self, forKey: .name)
            scorer = try container.decodeIfPresent(String.self, forKey: .scorer) ?? name
            scoredSamples = try container.decodeIfPresent(Int.self, forKey: .scoredSamples)
            metrics = try container.decode([String: Metric].self, forKey: .metrics).mapValues(\.value)
        }
    }

    /// The headline score inspect names.
    public struct Headline: Sendable, Hashable, Decodable {
        /// The score's name in `Results.scores`.
        public var score: String?
        /// The metric's name.
        public var metric: String?
    }

    /// The failure recorded in an errored log.
    public struct Failure: Sendable, Hashable, Decodable {
        /// The exception, e.g. `RuntimeError('...')`.
        public var message: String
        /// The Python traceback.
        public var traceback: String?
    }

    /// One sample (one epoch of it).
    public struct Sample: Sendable, Hashable, Decodable {
        /// Sample id, as text.
        public var id: String
        /// Epoch, from 1.
        public var epoch: Int
        /// The input as text (chat inputs joined as `role: content` lines).
        public var input: String
        /// The target (lists joined with ` | `).
        public var target: String
        /// The model's final completion.
        public var completion: String
        /// Scorer name → score value converted to a number (`nil` when the value has no numeric reading).
        public var scores: [String: Double?]
        /// Seconds the sample took.
        public var totalTime: Double?
        /// The sample's error message, if it failed.
        public var errorMessage: String?

        enum CodingKeys: String, CodingKey {
            case id, epoch, input, target, output, scores, error
            case totalTime = "total_time"
        }

        struct Output: Decodable { var completion: String? }
        struct ScoreEntry: Decodable { var value: InspectValue }

        /// Decodes inspect's `EvalSample`, flattening the parts a report needs.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            id = try container.decode(InspectValue.self, forKey: .id).text
            epoch = try container.decodeIfPresent(Int.self, forKey: .epoch) ?? 1
            input = try container.decode(InspectText.self, forKey: .input).text
            target = try container.decodeIfPresent(InspectText.self, forKey: .target)?.text ?? ""
            completion = try container.decodeIfPresent(Output.self, forKey: .output)?.completion ?? ""
            let entries = try container.decodeIfPresent([String: ScoreEntry].self, forKey: .scores) ?? [:]
            scores = entries.mapValues { $0.value.number }
            totalTime = try container.decodeIfPresent(Double.self, forKey: .totalTime)
            errorMessage = try container.decodeIfPresent(Failure.self, forKey: .error)?.message
        }
    }

    /// Reduced per-sample values of one scorer.
    public struct Reduction: Sendable, Hashable, Decodable {
        /// Scorer name.
        public var scorer: String
        /// Sample id (as text) → reduced value.
        public var values: [String: Double]

        enum CodingKeys: String, CodingKey { case scorer, samples }
        struct Entry: Decodable {
            var value: InspectValue
            var sampleId: InspectValue?
            enum CodingKeys: String, CodingKey {
                case value
                case sampleId = "sample_id"
            }
        }

        /// Decodes one entry of inspect's `reductions`.
        public init(from decoder: any Decoder) throws {
            let container = try decoder.container(keyedBy: CodingKeys.self)
            scorer = try container.decode(String.self, forKey: .scorer)
            let entries = try container.decodeIfPresent([Entry].self, forKey: .samples) ?? []
            values = [:]
            for entry in entries {
                if let id = entry.sampleId?.text, let number = entry.value.number { values[id] = number }
            }
        }
    }

    enum CodingKeys: String, CodingKey {
        case version, status, eval, results, error, samples, reductions
    }

    /// Decodes a whole `EvalLog`.
    public init(from decoder: any Decoder) throws {
        let container = try decoder.container(keyedBy: CodingKeys.self)
        version = try container.decodeIfPresent(Int.self, forKey: .version) ?? 0
        let rawStatus = try container.decode(String.self, forKey: .status)
        guard let status = Status(rawValue: rawStatus) else {
            throw DecodingError.dataCorruptedError(
                forKey: .status, in: container, debugDescription: "unknown status '\(rawStatus)'")
        }
        self.status = status
        eval = try container.decode(Spec.self, forKey: .eval)
        results = try container.decodeIfPresent(Results.self, forKey: .results)
        error = try container.decodeIfPresent(Failure.self, forKey: .error)
        samples = try container.decodeIfPresent([Sample].self, forKey: .samples) ?? []
        reductions = try container.decodeIfPresent([Reduction].self, forKey: .reductions) ?? []
    }
}

/// inspect's scalar `Value`: text, number or boolean (lists and objects have no single numeric reading).
enum InspectValue: Decodable, Hashable {
    case text(String)
    case number(Double)
    case bool(Bool)
    case other

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let bool = try? container.decode(Bool.self) {
            self = .bool(bool)
        } else if let number = try? container.decode(Double.self) {
            self = .number(number)
        } else if let text = try? container.decode(String.self) {
            self = .text(text)
        } else {
            self = .other
        }
    }

    /// The value as text (integers without a decimal point).
    var text: String {
        switch self {
        case .text(let value): return value
        case .number(let value): return value.rounded() == value && abs(value) < 1e15 ? String(Int(value)) : "\(value)"
        case .bool(let value): return String(value)
        case .other: return ""
        }
    }

    /// The numeric reading inspect's metrics use: C→1, I→0, P→0.5, N→0, numbers, booleans, numeric text,
    /// yes/no/true/false.
    var number: Double? {
        switch self {
        case .number(let value): return value
        case .bool(let value): return value ? 1 : 0
        case .other: return nil
        case .text(let value):
            switch value.trimmingCharacters(in: .whitespaces).lowercased() {
            case "c", "yes", "true": return 1
            case "i", "n", "no", "false": return 0
            case "p": return 0.5
            case let other: return Double(other)
            }
        }
    }
}

/// Text that inspect writes either as a string or as a list (of strings or chat messages).
struct InspectText: Decodable {
    var text: String

    struct Message: Decodable {
        var role: String?
        var content: Content
    }

    /// Message content: a string or a list of typed parts (only text parts are kept).
    struct Content: Decodable {
        var text: String
        struct Part: Decodable {
            var type: String?
            var text: String?
        }

        init(from decoder: any Decoder) throws {
            let container = try decoder.singleValueContainer()
            if let string = try? container.decode(String.self) {
                text = string
            } else {
                text = try container.decode([Part].self).compactMap(\.text).joined(separator: "\n")
            }
        }
    }

    init(from decoder: any Decoder) throws {
        let container = try decoder.singleValueContainer()
        if let string = try? container.decode(String.self) {
            text = string
        } else if let strings = try? container.decode([String].self) {
            text = strings.joined(separator: " | ")
        } else {
            let messages = try container.decode([Message].self)
            text = messages.map { ($0.role.map { "\($0): " } ?? "") + $0.content.text }.joined(separator: "\n")
        }
    }
}
