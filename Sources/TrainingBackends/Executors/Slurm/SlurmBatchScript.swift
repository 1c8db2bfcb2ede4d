public import Foundation
public import Runtime

/// The `sbatch` script for one spec, or for several as a job array (one array task per spec).
public struct SlurmBatchScript: Sendable, Hashable {
    /// The job name (`--job-name`), also the stem of the script and output file names.
    public var jobName: String
    /// The script text.
    public var text: String

    /// The output file of array task `index` once the job id is known (`<jobDirectory>/<jobName>-<id>[_<index>].out`).
    public static func outputFile(jobDirectory: String, jobName: String, jobID: String, index: Int?) -> String {
        "\(jobDirectory)/\(jobName)-\(jobID)" + (index.map { "_\($0)" } ?? "") + ".out"
    }

    /// Renders the script for `specs` (one spec: a plain job; several: `--array=0-<n-1>`).
    ///
    /// Each task changes to its spec's working folder and `exec`s its command through `env`, with the variables
    /// the spec sets or changes compared with `base` (the submitting environment, which `sbatch` exports).
    /// The time limit is the time left until the latest deadline (the executor stops each task at its own),
    /// rounded up to a whole minute (at least one), or `options.defaultTimeLimitMinutes`.
    ///
    /// - Parameters:
    ///   - specs: What to run; at least one.
    ///   - jobName: The job name.
    ///   - options: Resources and folders.
    ///   - base: The environment `sbatch` runs with.
    ///   - now: The current time, for the time limit.
    public init(
        specs: [ProcessSpec], jobName: String, options: SlurmOptions,
        base: [String: String] = ProcessInfo.processInfo.environment, now: Date = Date()
    ) {
        self.jobName = jobName
        let isArray = specs.count > 1
        var lines = ["#!/bin/bash", "#SBATCH --job-name=\(jobName)"]
        let pattern = isArray ? "%A_%a" : "%j"
        lines.append("#SBATCH --output=\(options.jobDirectory)/\(jobName)-\(pattern).out")
        if isArray {
            lines.append("#SBATCH --array=0-\(specs.count - 1)" + (options.maxParallelTasks.map { "%\($0)" } ?? ""))
        }
        if let minutes = Self.timeLimitMinutes(specs: specs, options: options, now: now) {
            lines.append("#SBATCH --time=\(Self.format(minutes: minutes))")
        }
        lines.append("#SBATCH --nodes=1")
        lines.append("#SBATCH --ntasks=1")
        if options.gpus > 0 {
            lines.append("#SBATCH --gres=gpu:\(options.gpus)")
        }
        if let cpus = options.cpusPerTask {
            lines.append("#SBATCH --cpus-per-task=\(cpus)")
        }
        if let memory = options.memory {
            lines.append("#SBATCH --mem=\(memory)")
        }
        if let partition = options.partition {
            lines.append("#SBATCH --partition=\(partition)")
        }
        if let account = options.account {
            lines.append("#SBATCH --account=\(account)")
        }
        lines += options.extraDirectives.map { "#SBATCH \($0)" }
        lines.append("")
        if isArray {
            lines.append("case \"${SLURM_ARRAY_TASK_ID:-}\" in")
            for (index, spec) in specs.enumerated() {
                lines.append("  \(index)) " + Self.command(for: spec, base: base) + " ;;")
            }
            lines.append("  *) echo \"unknown array task ${SLURM_ARRAY_TASK_ID:-}\" >&2; exit 2 ;;")
            lines.append("esac")
        } else if let spec = specs.first {
            lines.append(Self.command(for: spec, base: base))
        }
        text = lines.joined(separator: "\n") + "\n"
    }

    private static func command(for spec: ProcessSpec, base: [String: String]) -> String {
        var words: [String] = []
        if let folder = spec.workingDirectory {
            words += ["cd", ShellCommand.quote(folder.path), "&&"]
        }
        words += ["exec", "env"]
        words += ShellCommand.changedVariables(spec.environment, comparedTo: base).map {
            ShellCommand.quote("\($0.name)=\($0.value)")
        }
        words += spec.commandLine.map(ShellCommand.quote)
        return words.joined(separator: " ")
    }

    private static func timeLimitMinutes(specs: [ProcessSpec], options: SlurmOptions, now: Date) -> Int? {
        guard let deadline = specs.compactMap(\.deadline).max() else {
            return options.defaultTimeLimitMinutes
        }
        return max(1, Int((deadline.timeIntervalSince(now) / 60).rounded(.up)))
    }

    /// `minutes` as Slurm's `D-HH:MM:SS` or `HH:MM:SS`.
    private static func format(minutes: Int) -> String {
        let days = minutes / (24 * 60)
        let clock = String(format: "%02d:%02d:00", (minutes / 60) % 24, minutes % 60)
        return days > 0 ? "\(days)-\(clock)" : clock
    }
}
