import AgentCore
import Foundation
import Interfaces

extension IterationProgress {
    /// The progress event that `record` stands for, given the progress so far; `nil` for records that change
    /// nothing. Pure: registering candidates and deciding promotions is the runner's work, not this mapping's.
    /// - Parameters:
    ///   - record: a record of the run's store.
    ///   - runDirectory: the run folder, against which relative paths in records are resolved.
    public func event(for record: ExperimentRecord, runDirectory: URL) -> ProgressEvent? {
        let payload = record.payload
        switch record.kind {
        case RecordKind.stageEntered:
            return payload["stage"]?.stringValue.map(ProgressEvent.stageEntered)
        case WorkflowRecordKind.sessionStarted:
            return .sessionStarted
        case WorkflowRecordKind.sessionEnded:
            return payload["completed"]?.boolValue == true ? .sessionCompleted : nil
        case RecordKind.planWritten:
            guard let iteration = payload["iteration"]?.intValue, iteration > self.iteration else { return nil }
            return .planned
        case RecordKind.dataValidated:
            guard payload["verdict"]?.stringValue == "approve", let name = payload["dataset"]?.stringValue,
                let iteration = payload["iteration"]?.intValue, iteration == self.iteration, planned
            else { return nil }
            let file = Workspace(root: runDirectory).iteration(iteration).data.appendingPathComponent("\(name).json")
            return .dataApproved(ApprovedDataset(name: name, files: [file.path]))
        case RecordKind.trainFinished:
            guard let id = payload["jobID"]?.stringValue, let directory = payload["modelDirectory"]?.stringValue else {
                return nil
            }
            let path = directory.hasPrefix("/")
                ? directory : runDirectory.appendingPathComponent(directory).standardizedFileURL.path
            return .trained(candidateID: id, modelPath: path)
        case RecordKind.trainFailed, RecordKind.evalFailed:
            return .engineeringFailure(reason: payload["error"]?.stringValue ?? record.kind)
        case WorkflowRecordKind.baseline:
            return payload["score"]?.doubleValue.map { .baselineEvaluated(score: $0) }
        case WorkflowRecordKind.evaluated:
            guard let id = payload["candidateID"]?.stringValue else { return nil }
            return .evaluated(candidateID: id, promoted: payload["promoted"]?.boolValue == true)
        case RecordKind.iterationLogged:
            return .logged
        default:
            return nil
        }
    }

    /// Rebuilds progress from a run's records, in order.
    public init(replaying records: [ExperimentRecord], runDirectory: URL) {
        self.init()
        for record in records {
            if let event = event(for: record, runDirectory: runDirectory) { apply(event) }
        }
    }
}
