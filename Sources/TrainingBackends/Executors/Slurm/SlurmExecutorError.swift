/// Why a `SlurmExecutor` could not submit or follow a job.
public enum SlurmExecutorError: Error, Sendable, Hashable, CustomStringConvertible {
    /// `sbatch` refused the script.
    case submissionFailed(script: String, outcome: String, outputTail: [String])
    /// Neither `scontrol` nor `sacct` knows the job any more, so its end state cannot be read.
    case jobStateUnavailable(jobID: String, outputTail: [String])

    /// What went wrong and what to do about it.
    public var description: String {
        switch self {
        case .submissionFailed(let script, let outcome, let tail):
            "sbatch \(script) failed (\(outcome)): \(tail.suffix(5).joined(separator: " | ")). Check the "
                + "partition, account, GPU request (--gres) and time limit against `sinfo`, and that the "
                + "Slurm client commands reach the controller (SLURM_CONF)."
        case .jobStateUnavailable(let jobID, let tail):
            "Slurm job \(jobID) is known neither to `scontrol show job` nor to `sacct`: "
                + "\(tail.suffix(5).joined(separator: " | ")). Raise MinJobAge in slurm.conf or configure "
                + "accounting, so that finished jobs can be read."
        }
    }
}
