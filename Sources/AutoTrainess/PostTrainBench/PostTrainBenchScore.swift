import AgentCore
public import Foundation
import Interfaces

/// PostTrainBench's leaderboard arithmetic (task contract, section 7), for comparing our runs with published
/// numbers: a cell is one (benchmark, base model) score; a missing cell falls back to the base model's zero-shot
/// score; the leaderboard score is Σ weight × (mean cell score over the four base models) × 100.
public struct PostTrainBenchScore: Sendable, Hashable, Codable {
    /// The benchmark's version of the weights.
    public enum Version: String, Sendable, Hashable, Codable, CaseIterable {
        case v1_1 = "v1.1"
        case v1_2 = "v1.2"

        /// Benchmark → weight (normalised to sum to 1; v1 and v1.1 share theirs).
        public var weights: [String: Double] {
            switch self {
            case .v1_1:
                ["aime2025": 0.2265, "gpqamain": 0.2246, "healthbench": 0.1841, "humaneval": 0.1061, "gsm8k": 0.0936,
                 "arenahardwriting": 0.0904, "bfcl": 0.0746]
            case .v1_2:
                ["aime2025": 0.2448, "gpqamain": 0.2427, "healthbench": 0.1990, "humaneval": 0.1147, "gsm8k": 0.1011,
                 "arenahardwriting": 0.0976]
            }
        }
    }

    /// The four base models, in the contract's order.
    public static let baseModels = ["Qwen3-1.7B-Base", "Qwen3-4B-Base", "SmolLM3-3B-Base", "gemma-3-4b-pt"]

    /// Zero-shot scores of the unmodified base models (mid-2026): base model → benchmark → score.
    public static let baseFallbacks: [String: [String: Double]] = [
        "Qwen3-1.7B-Base": ["aime2025": 0, "arenahardwriting": 0.009, "bfcl": 0, "gpqamain": 0.141, "gsm8k": 0.127,
                            "healthbench": 0.075, "humaneval": 0.079],
        "Qwen3-4B-Base": ["aime2025": 0.033, "arenahardwriting": 0.034, "bfcl": 0, "gpqamain": 0.134, "gsm8k": 0.418,
                          "healthbench": 0.134, "humaneval": 0.366],
        "SmolLM3-3B-Base": ["aime2025": 0.033, "arenahardwriting": 0.004, "bfcl": 0, "gpqamain": 0.049,
                            "gsm8k": 0.211, "healthbench": 0, "humaneval": 0.061],
        "gemma-3-4b-pt": ["aime2025": 0, "arenahardwriting": 0.003, "bfcl": 0.06, "gpqamain": 0.016, "gsm8k": 0.061,
                          "healthbench": 0.170, "humaneval": 0.006],
    ]

    /// One cell.
    public struct Cell: Sendable, Hashable, Codable {
        public var benchmark: String
        public var baseModel: String
        public var score: Double
        /// Where the score came from: a run folder, or `base fallback`.
        public var source: String
    }

    public var version: Version
    public var cells: [Cell]
    /// Benchmark → mean cell score over the base models.
    public var means: [String: Double]
    /// Σ weight × mean × 100.
    public var total: Double

    /// Scores `results` (benchmark, base model, score, source), filling every other cell with its fallback;
    /// repeated runs of a cell are averaged, as the leaderboard does.
    public init(version: Version, results: [Cell]) {
        self.version = version
        var cells: [Cell] = []
        var means: [String: Double] = [:]
        var total = 0.0
        for benchmark in version.weights.keys.sorted() {
            var scores: [Double] = []
            for model in Self.baseModels {
                let runs = results.filter { $0.benchmark == benchmark && $0.baseModel == model }
                if runs.isEmpty {
                    let fallback = Self.baseFallbacks[model]?[benchmark] ?? 0
                    cells.append(Cell(benchmark: benchmark, baseModel: model, score: fallback, source: "base fallback"))
                    scores.append(fallback)
                } else {
                    let mean = runs.map(\.score).reduce(0, +) / Double(runs.count)
                    cells.append(
                        Cell(
                            benchmark: benchmark, baseModel: model, score: mean,
                            source: runs.map(\.source).joined(separator: ", ")))
                    scores.append(mean)
                }
            }
            let mean = scores.reduce(0, +) / Double(scores.count)
            means[benchmark] = mean
            total += (version.weights[benchmark] ?? 0) * mean * 100
        }
        self.cells = cells
        self.means = means
        self.total = total
    }

    /// The cell of a finished run folder of a PostTrainBench task: its benchmark, its base model (matched by folder
    /// name to one of ``baseModels``, case-insensitively) and the score of its submission's latest evaluation.
    /// - Throws: ``PostTrainBenchError/unreadableResult(path:reason:)`` naming what is missing.
    public static func cell(ofRun runDirectory: URL) throws -> Cell {
        let path = runDirectory.path
        let workspace: Workspace
        let records: [ExperimentRecord]
        let manifest: RunManifest
        do {
            workspace = try Workspace.open(runDirectory)
            manifest = try workspace.readManifest()
            records = try JSONLExperimentStore.read(fileURL: workspace.eventsFile).records
        } catch {
            throw PostTrainBenchError.unreadableResult(path: path, reason: "not a run folder (\(error))")
        }
        let modelName = URL(fileURLWithPath: manifest.task.baseModel).lastPathComponent
        guard let model = baseModels.first(where: { modelName.lowercased().contains($0.lowercased()) }) else {
            throw PostTrainBenchError.unreadableResult(
                path: path,
                reason: "its base model '\(modelName)' is none of the benchmark's (\(baseModels.joined(separator: ", ")))")
        }
        guard let stopped = records.last(RunStopped.self) else {
            throw PostTrainBenchError.unreadableResult(path: path, reason: "the run has not finished")
        }
        // The evaluation the registry promoted the submission on (the baseline when nothing was promoted).
        var reports: [Int: EvalReported] = [:]
        for record in records { if let report = record.decode(EvalReported.self) { reports[record.sequence] = report } }
        let sequence = stopped.best == "base"
            ? records.last(BaselineEvaluated.self)?.evalSequence
            : records.all(CandidateEvaluated.self).last { $0.candidateID == stopped.best && $0.promoted }?.evalSequence
        let submitted = sequence.flatMap { reports[$0] }
        guard let score = submitted?.score else {
            throw PostTrainBenchError.unreadableResult(path: path, reason: "no evaluation of its submission")
        }
        return Cell(benchmark: manifest.task.benchmark, baseModel: model, score: score, source: path)
    }

    /// The table a person reads.
    public var rendered: String {
        var lines = ["PostTrainBench \(version.rawValue) score: " + String(format: "%.2f", total), ""]
        lines.append("| benchmark | weight | " + Self.baseModels.joined(separator: " | ") + " | mean |")
        lines.append("|---|---|" + String(repeating: "---|", count: Self.baseModels.count) + "---|")
        for benchmark in version.weights.keys.sorted(by: { version.weights[$0]! > version.weights[$1]! }) {
            let row = Self.baseModels.map { model in
                let cell = cells.first { $0.benchmark == benchmark && $0.baseModel == model }
                let mark = cell?.source == "base fallback" ? "*" : ""
                return String(format: "%.3f", cell?.score ?? 0) + mark
            }
            lines.append(
                "| \(benchmark) | " + String(format: "%.4f", version.weights[benchmark]!) + " | "
                    + row.joined(separator: " | ") + " | " + String(format: "%.3f", means[benchmark] ?? 0) + " |")
        }
        lines.append("")
        lines.append("* the base model's zero-shot score (no run given for that cell).")
        return lines.joined(separator: "\n")
    }
}
