public import Foundation

/// What a run did, as one value built from its records: the headline, every score with its interval and
/// decision, the loss curves, the budget burn, the candidates' lineage, the data, the timeline of stages, denials
/// and failures, and per evaluation the sampled answers and what changed against the baseline.
///
/// The HTML page (``ReportPage``), `status --json` and any custom workflow read this value; it works on a run in
/// progress (what has been recorded so far) and on 0.1.0 run folders.
///
/// ```swift
/// let report = try RunReport.load(runDirectory: run)
/// try ReportPage(report).write(to: run.appendingPathComponent("report.html"))
/// ```
public struct RunReport: Sendable, Hashable, Codable {
    /// The first screen: the task and how the run stands.
    public struct Headline: Sendable, Hashable, Codable {
        public var task: String
        public var description: String
        public var baseModel: String
        public var benchmark: String
        public var metric: String
        /// The wall-clock budget and the reserve kept for the final evaluation, in seconds.
        public var budgetSeconds: Double?
        public var reserveSeconds: Double?
        /// The stage the run is in (or ended in), and the iteration.
        public var stage: String?
        public var iteration: Int
        /// Why the run stopped; `nil` while it runs.
        public var stopReason: String?
        public var baseline: ScorePoint?
        /// The best evaluated model: the submission (the baseline until a candidate is promoted).
        public var best: ScorePoint?
        /// The checkpoint `final_model/` holds, and why.
        public var submission: String
        public var submissionReason: String
        public var finalModelValid: Bool?
        /// Where the run's own records live, relative to the report.
        public var runDirectory: String
        public var recordCount: Int
    }

    /// One evaluation: the score with its 95% interval, and what the registry decided.
    public struct ScorePoint: Sendable, Hashable, Codable {
        /// How an evaluation was judged.
        public enum Decision: String, Sendable, Hashable, Codable {
            /// The base model's evaluation, the reference.
            case baseline
            /// Promoted: `final_model/` holds it.
            case keep
            /// Scored above the best but its interval includes no gain: not promoted.
            case inconclusive
            /// Not better than the best.
            case discard
            /// Evaluated without a promotion decision (too few samples, or a re-evaluation).
            case unjudged
        }
        public var sequence: Int
        public var iteration: Int
        public var label: String
        /// The candidate evaluated (`base` for the baseline), when known.
        public var candidate: String?
        public var score: Double
        public var low: Double
        public var high: Double
        public var sampleCount: Int
        public var decision: Decision
        public var reason: String?
        /// The best score so far, this evaluation included when promoted.
        public var runningBest: Double
        public var secondsFromStart: Double
    }

    /// A training job's logged steps.
    public struct LossCurve: Sendable, Hashable, Codable {
        public struct Point: Sendable, Hashable, Codable {
            public var step: Int
            public var loss: Double?
            public var learningRate: Double?
            /// When the step was logged.
            public var secondsFromStart: Double
        }
        public var jobID: String
        public var iteration: Int
        public var totalSteps: Int
        public var points: [Point]
        /// `finished`, `failed: …`, or `running`.
        public var outcome: String
        public var wallSeconds: Double?
    }

    /// How the wall clock was spent, sampled each time the run recorded its usage.
    public struct BudgetBurn: Sendable, Hashable, Codable {
        public struct Sample: Sendable, Hashable, Codable {
            public var secondsFromStart: Double
            public var elapsed: Double
            public var training: Double
            public var evaluation: Double
        }
        public var samples: [Sample]
        public var elapsed: Double
        public var training: Double
        public var evaluation: Double
        /// Everything else: the agent's own time (thinking, tools, data work).
        public var agent: Double { max(0, elapsed - training - evaluation) }
        public var tokens: Int
        public var usd: Double
        public var gpuHours: Double
    }

    /// A model in the lineage: the base or a registered checkpoint.
    public struct Candidate: Sendable, Hashable, Codable {
        public var id: String
        public var parent: String?
        public var iteration: Int?
        public var score: Double?
        public var promoted: Bool
    }

    /// A dataset built in an iteration and its validation.
    public struct DataRow: Sendable, Hashable, Codable {
        public var iteration: Int
        public var dataset: String
        public var rows: Int
        public var skipped: Int
        public var format: String?
        /// `approve`, `send back`, ... ; `nil` before validation.
        public var verdict: String?
        public var reasons: [String]
        public var contaminationHits: Int?
        /// The dataset's provenance manifest, relative to the run folder, when it has one.
        public var manifest: String?
        /// One line per operation of the manifest (sources with hashes, counts in and out, drops).
        public var provenance: [String]?
    }

    /// A moment in the run: a stage entered, a call denied, a failure, a decision, the end.
    public struct Event: Sendable, Hashable, Codable {
        public enum Kind: String, Sendable, Hashable, Codable {
            case stage, denial, failure, decision, end
        }
        public var secondsFromStart: Double
        public var kind: Kind
        public var title: String
        public var detail: String
    }

    /// One evaluation's read: sampled answers, failure classes, and the items whose score changed against the
    /// baseline.
    public struct EvaluationDetail: Sendable, Hashable, Codable {
        public struct Sample: Sendable, Hashable, Codable {
            public var id: String
            public var input: String
            public var target: String
            public var output: String
            public var score: Double
        }
        public struct Change: Sendable, Hashable, Codable {
            public var id: String
            public var input: String
            public var target: String
            public var baseline: String
            public var candidate: String
            public var baselineScore: Double
            public var candidateScore: Double
        }
        public var label: String
        public var iteration: Int
        public var score: Double
        public var sampleCount: Int
        /// Failure class → count, over all the samples.
        public var triage: [String: Int]
        public var picked: [Sample]
        public var changed: [Change]
    }

    public var generatedAt: Date
    public var headline: Headline
    public var scores: [ScorePoint]
    public var losses: [LossCurve]
    public var budget: BudgetBurn
    public var lineage: [Candidate]
    public var data: [DataRow]
    public var events: [Event]
    public var evaluations: [EvaluationDetail]
    /// Whether the run has stopped.
    public var finished: Bool { headline.stopReason != nil }
}
