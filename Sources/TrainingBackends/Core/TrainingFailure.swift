import Foundation

/// Why a training or export job failed, with a fix the agent can act on.
///
/// Thrown by the stream of `TrainingBackend.train(_:)`: before launch for configuration problems caught in Swift,
/// after the run for failures diagnosed from its output.
public struct TrainingFailure: Error, Sendable, Hashable, Codable, CustomStringConvertible {
    /// The kind of failure.
    public enum Cause: String, Sendable, Hashable, Codable, CaseIterable {
        /// A config key LlamaFactory does not know (misspelled, renamed, or from another version).
        case unknownKey
        /// A value LlamaFactory rejects, or a combination of settings that cannot work.
        case invalidValue
        /// The template name is not registered in LlamaFactory.
        case templateNotFound
        /// The template does not match the model's own chat format (the model would never learn to stop).
        case templateMismatch
        /// A dataset name is not a key of `dataset_info.json`.
        case datasetNotRegistered
        /// `dataset_info.json` cannot be opened.
        case datasetRegistryMissing
        /// A data file named in `dataset_info.json` does not exist.
        case dataFileMissing
        /// The `columns`/`formatting` of a dataset do not match its file.
        case columnMapping
        /// Every example was dropped as invalid.
        case noValidSamples
        /// A ranking dataset used for a non-ranking stage, or the reverse.
        case stageDataMismatch
        /// The output folder holds another run's files.
        case outputDirectoryNotEmpty
        /// The model or its tokenizer could not be loaded from the base model path.
        case modelNotFound
        /// A Python package is missing or has a version LlamaFactory does not accept.
        case versionConflict
        /// The GPU ran out of memory.
        case outOfMemory
        /// The host ran out of memory (the process was killed without a Python error).
        case hostOutOfMemory
        /// No CUDA device is visible although the job needs one.
        case cudaNotVisible
        /// bf16/fp16 was asked for on hardware that does not support it (for example a CPU).
        case precisionUnsupported
        /// The distributed launch (torchrun, DeepSpeed) is misconfigured.
        case distributedLaunch
        /// A rank failed under torchrun; the rank's own error was not recognised.
        case rankFailure
        /// The disk is full.
        case diskFull
        /// The training method is not supported by this LlamaFactory install.
        case unsupportedMethod
        /// The process exited 0 but the results or weights are missing.
        case missingOutputs
        /// The job's deadline was reached and the run was torn down.
        case deadlineReached
        /// The run failed for a reason not recognised; see the log tail.
        case unknown
    }

    /// The kind of failure.
    public var cause: Cause
    /// What was wrong: the error line from the log, or the problem found before launch.
    public var message: String
    /// What to change so that the next attempt works.
    public var fix: String
    /// The process exit status, when the job ran.
    public var exitCode: Int32?
    /// The last lines of the job's output (empty when the failure was found before launch).
    public var logTail: [String]

    /// Creates a failure.
    public init(cause: Cause, message: String, fix: String, exitCode: Int32? = nil, logTail: [String] = []) {
        self.cause = cause
        self.message = message
        self.fix = fix
        self.exitCode = exitCode
        self.logTail = logTail
    }

    /// One paragraph for the agent: cause, message, fix.
    public var description: String {
        "Training failed (\(cause.rawValue)): \(message)\nFix: \(fix)"
    }
}
