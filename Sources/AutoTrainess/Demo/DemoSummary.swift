import AgentCore
import Evaluation
import Foundation
import Interfaces

/// What a demo run achieved, read back from its run folder: scores, the gain's interval, the promotion, timings.
public struct DemoSummary: Sendable, Hashable, Codable {
    /// The run folder.
    public var runDirectory: String
    /// The submission folder.
    public var finalModel: String
    /// How the run ended.
    public var ending: String
    /// The base model's score on the held-out split.
    public var baselineScore: Double?
    /// The trained candidate's score on the held-out split.
    public var candidateScore: Double?
    /// The candidate's gain over the base, paired bootstrap over shared samples.
    public var gain: PairedBootstrap.Comparison?
    /// Whether the candidate replaced the base in `final_model/`.
    public var promoted: Bool
    /// The registry's reason for its decision.
    public var decision: String?
    /// Wall seconds per step (baseline evaluation, training, candidate evaluation) and for the whole run.
    public var stepSeconds: [String: Double]
    public var wallSeconds: Double

    /// Reads the summary of the run in `workspace` after `outcome`.
    /// - Throws: store errors.
    public static func read(
        _ workspace: Workspace, outcome: WorkflowOutcome, wallSeconds: Double
    ) async throws
        -> DemoSummary
    {
        let records = try await workspace.openStore().records()
        func report(_ label: String) -> (EvaluationReport, Double)? {
            guard let record = records.all(EvalReported.self).last(where: { $0.label == label }),
                let data = try? Data(contentsOf: workspace.resolve(record.reportPath)),
                let report = try? JSONDecoder().decode(EvaluationReport.self, from: data)
            else { return nil }
            return (report, record.durationSeconds)
        }
        let baseline = report("baseline")
        let candidate = report("iter1")
        var steps: [String: Double] = [:]
        steps["baseline evaluation"] = baseline?.1
        steps["training + merge"] = records.last(TrainFinished.self)?.wallSeconds
        steps["candidate evaluation"] = candidate?.1
        let evaluated = records.last(CandidateEvaluated.self)
        return DemoSummary(
            runDirectory: workspace.root.path, finalModel: outcome.finalModel, ending: outcome.ending.description,
            baselineScore: baseline?.0.score, candidateScore: candidate?.0.score,
            gain: baseline.flatMap { base in candidate.flatMap { try? PairedBootstrap.compare(base.0, $0.0) } },
            promoted: evaluated?.promoted == true, decision: evaluated?.reason, stepSeconds: steps, wallSeconds: wallSeconds)
    }

    /// The summary as a small text table with the paths, for the terminal.
    public var table: String {
        func score(_ value: Double?) -> String { value.map { String(format: "%.3f", $0) } ?? "n/a" }
        func seconds(_ key: String) -> String { stepSeconds[key].map { String(format: "%6.0f s", $0) } ?? "     n/a" }
        var lines = ["", "| step                 | wall time | result", "|----------------------|-----------|-------"]
        lines.append("| baseline evaluation  | \(seconds("baseline evaluation")) | score \(score(baselineScore))")
        lines.append("| training + merge     | \(seconds("training + merge")) |")
        var candidate = "score \(score(candidateScore))"
        if let gain {
            candidate += String(
                format: ", gain %+.3f (95%% interval %+.3f … %+.3f, n=%d)", gain.meanDifference,
                gain.lowerBound, gain.upperBound, gain.sharedCount)
        }
        lines.append("| candidate evaluation | \(seconds("candidate evaluation")) | \(candidate)")
        lines.append(String(format: "| whole run            | %6.0f s  | %@", wallSeconds, ending))
        lines.append("")
        if promoted {
            lines.append("Promoted: the trained model beat the base by more than noise; final_model/ holds it.")
        } else if candidateScore == nil {
            lines.append(
                "No trained candidate was evaluated (see the run's experiment_log.md); final_model/ keeps the base.")
        } else {
            lines.append(
                "Not promoted: the trained model did not beat the base by more than noise; final_model/ keeps the base."
            )
        }
        if let decision { lines.append("Decision: \(decision)") }
        lines.append("Run folder:  \(runDirectory)")
        lines.append("final_model: \(finalModel)")
        return lines.joined(separator: "\n")
    }
}
