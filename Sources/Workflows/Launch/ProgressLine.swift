import AgentCore
import Foundation
import Interfaces

/// One human line per notable record of a run: what `autotrainess run` and `demo` print while they work.
public enum ProgressLine {
    /// The line for `record`, or `nil` for records not worth a line (model text, store bookkeeping).
    public static func describe(_ record: ExperimentRecord) -> String? {
        let p = record.payload
        func number(_ key: String) -> String { p[key]?.doubleValue.map { String(format: "%g", $0) } ?? "?" }
        switch record.kind {
        case RecordKind.stageEntered:
            return "== stage: \(p["stage"]?.stringValue ?? "?")"
        case "agent.tool_call":
            guard let name = p["name"]?.stringValue ?? p["call"]?["name"]?.stringValue else { return nil }
            return "-> \(name)"
        case WorkflowRecordKind.denied:
            return "   denied by rule '\(p["rule"]?.stringValue ?? "?")': \(p["reason"]?.stringValue ?? "")"
        case RecordKind.planWritten:
            return "   plan written for iteration \(number("iteration"))"
        case RecordKind.dataBuilt:
            return "   dataset \(p["dataset"]?.stringValue ?? "?") built: \(number("rows")) rows"
        case RecordKind.dataValidated:
            return "   dataset \(p["dataset"]?.stringValue ?? "?"): \(p["verdict"]?.stringValue ?? "?")"
                + " (\(number("samples")) samples, \(number("contamination")) contamination hits)"
        case RecordKind.trainStarted:
            return "   training started"
        case RecordKind.trainProgress:
            let loss = p["loss"]?.doubleValue.map { String(format: ", loss %.4f", $0) } ?? ""
            return "   step \(number("step"))/\(number("totalSteps"))\(loss)"
        case RecordKind.trainFinished:
            return "   trained \(p["jobID"]?.stringValue ?? "?") in \(number("wallSeconds")) s"
        case RecordKind.trainFailed, RecordKind.evalFailed:
            return "   FAILED: \(p["error"]?.stringValue?.prefix(300) ?? "")"
        case RecordKind.evalReport:
            let score = p["score"]?.doubleValue.map { String(format: "%.3f", $0) } ?? "?"
            return "   \(p["label"]?.stringValue ?? "evaluation"): score \(score) on \(number("sampleCount")) samples"
        case WorkflowRecordKind.evaluated:
            return "   \(p["reason"]?.stringValue ?? "")"
        case RecordKind.iterationLogged:
            return "   iteration \(number("iteration")) logged: \(p["decision"]?.stringValue ?? "?")"
        case WorkflowRecordKind.stopped:
            return "== run stopped: \(p["ending"]?.stringValue ?? p["reason"]?.stringValue ?? "")"
        default:
            return nil
        }
    }
}
