import AgentCore
import Foundation
import Interfaces

/// One human line per notable record of a run: what `autotrainess run` and `demo` print while they work.
public enum ProgressLine {
    /// The line for `record`, or `nil` for records not worth a line (model text, store bookkeeping).
    public static func describe(_ record: ExperimentRecord) -> String? {
        func number(_ value: Double) -> String { String(format: "%g", value) }
        if let entered = record.decode(StageEntered.self) { return "== stage: \(entered.stage)" }
        if let call = record.decode(AgentRecord.ToolCalled.self) { return "-> \(call.value.name)" }
        if let denied = record.decode(CallDenied.self) {
            return "   denied by rule '\(denied.rule)': \(denied.reason)"
        }
        if let plan = record.decode(PlanWritten.self) { return "   plan written for iteration \(plan.iteration)" }
        if let built = record.decode(DataBuilt.self) { return "   dataset \(built.dataset) built: \(built.rows) rows" }
        if let validated = record.decode(DataValidated.self) {
            let hits = validated.contamination.map { ", \($0) contamination hits" } ?? ""
            return "   dataset \(validated.dataset): \(validated.verdict) (\(validated.samples) samples\(hits))"
        }
        if record.is(TrainStarted.self) { return "   training started" }
        if let progress = record.decode(TrainProgressed.self) {
            let loss = progress.loss.map { String(format: ", loss %.4f", $0) } ?? ""
            return "   step \(progress.step)/\(progress.totalSteps)\(loss)"
        }
        if let finished = record.decode(TrainFinished.self) {
            return "   trained \(finished.jobID) in \(number(finished.wallSeconds)) s"
        }
        if let failed = record.decode(TrainFailed.self) { return "   FAILED: \(failed.error.prefix(300))" }
        if let failed = record.decode(EvalFailed.self) { return "   FAILED: \(failed.error.prefix(300))" }
        if let report = record.decode(EvalReported.self) {
            return "   \(report.label): score \(String(format: "%.3f", report.score)) on \(report.sampleCount) samples"
        }
        if let evaluated = record.decode(CandidateEvaluated.self) { return "   \(evaluated.reason)" }
        if let logged = record.decode(IterationRecord.self) {
            return "   iteration \(logged.iteration) logged: \(logged.decision.rawValue)"
        }
        if let stopped = record.decode(RunStopped.self) { return "== run stopped: \(stopped.reason)" }
        return nil
    }
}
