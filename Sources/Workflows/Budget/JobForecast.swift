public import Foundation
public import TrainingBackends

/// The kind of job asking for time.
public enum JobKind: String, Sendable, Hashable, Codable {
    /// A training job: gets the time left minus the final reserve.
    case training
    /// An evaluation during the run: gets the time left minus the final reserve.
    case evaluation
    /// The final evaluation and promotion: may use the reserve.
    case finalEvaluation
}

/// How long a job is expected to take.
public struct JobForecast: Sendable, Hashable, Codable {
    /// What kind of job it is.
    public var kind: JobKind
    /// Expected seconds until the job ends.
    public var seconds: TimeInterval
    /// GPUs the job holds (for GPU-hour accounting; 0 on CPU).
    public var gpuCount: Int
    /// How the forecast was made, shown with a refusal (e.g. the measured rate it used).
    public var basis: String?

    /// A forecast from a size estimate made before the job starts.
    public init(kind: JobKind, seconds: TimeInterval, gpuCount: Int = 0, basis: String? = nil) {
        self.kind = kind
        self.seconds = seconds
        self.gpuCount = gpuCount
        self.basis = basis
    }

    /// A forecast from a running job's measured progress: the trainer's own estimate when it gives one, else the
    /// seconds per step so far times the steps left. `nil` before the first step.
    public init?(kind: JobKind = .training, progress: TrainingProgress, gpuCount: Int = 0) {
        let stepsLeft = max(0, progress.totalSteps - progress.step)
        if let remaining = progress.remainingSeconds {
            self.init(kind: kind, seconds: remaining, gpuCount: gpuCount)
        } else if let elapsed = progress.elapsedSeconds, progress.step > 0 {
            self.init(kind: kind, seconds: elapsed / Double(progress.step) * Double(stepsLeft), gpuCount: gpuCount)
        } else {
            return nil
        }
    }

    /// GPU-hours the job will use.
    public var gpuHours: Double { seconds * Double(gpuCount) / 3600 }
}

/// Whether a job may start, and until when.
public enum Admission: Sendable, Hashable {
    /// The job may run; it must be over by `deadline`.
    case admitted(deadline: Date)
    /// The job may not run; the model reads `reason`.
    case refused(reason: String)
}

/// What to do with a running job after its latest progress.
public enum JobDecision: Sendable, Hashable {
    /// Let it run.
    case proceed
    /// Stop it at this step boundary, keeping the checkpoints written so far; `reason` says why.
    case stop(reason: String)
}
