import Foundation
import Runtime
import Testing

@testable import TrainingBackends

@Suite("Slurm batch scripts")
struct SlurmBatchScriptTests {
    static let now = Date(timeIntervalSince1970: 1_800_000_000)
    static let base = ["PATH": "/usr/bin:/bin", "HOME": "/home/me"]

    static func spec(_ arguments: [String], deadline: Date? = nil) -> ProcessSpec {
        ProcessSpec(
            executable: "/opt/venv/bin/llamafactory-cli", arguments: arguments,
            environment: base.merging(["PATH": "/opt/venv/bin:/usr/bin:/bin", "FORCE_TORCHRUN": "1"]) { $1 },
            workingDirectory: URL(fileURLWithPath: "/shared/exp/run 1"), deadline: deadline)
    }

    static func golden(_ name: String) throws -> String {
        try Fixtures.text("golden/" + name)
    }

    @Test func aSingleJobAsksForGPUsAndATimeLimitFromTheDeadline() throws {
        let options = SlurmOptions(
            jobDirectory: "/shared/jobs", partition: "gpu", account: "lab", gpus: 2, cpusPerTask: 8, memory: "64G",
            extraDirectives: ["--constraint=a100"])
        let script = SlurmBatchScript(
            specs: [Self.spec(["train", "/shared/exp/run 1/config.yaml"], deadline: Self.now + 92 * 60 - 30)],
            jobName: "autotrainess-abc", options: options, base: Self.base, now: Self.now)
        #expect(script.text == (try Self.golden("slurm-single-job.sbatch")))
    }

    @Test func severalCandidatesBecomeAJobArray() throws {
        let options = SlurmOptions(
            jobDirectory: "/shared/jobs", gpus: 1, defaultTimeLimitMinutes: 26 * 60 + 5, maxParallelTasks: 2)
        let script = SlurmBatchScript(
            specs: ["a.yaml", "it's b.yaml", "c.yaml"].map { Self.spec(["train", $0]) },
            jobName: "autotrainess-arr", options: options, base: Self.base, now: Self.now)
        #expect(script.text == (try Self.golden("slurm-job-array.sbatch")))
    }

    /// The array's limit is the latest task's (the executor stops each task at its own deadline).
    @Test func theLatestDeadlineSetsTheLimitAndAPassedOneStillAsksForAMinute() {
        let options = SlurmOptions(jobDirectory: "/j", defaultTimeLimitMinutes: 600)
        let tasks = SlurmBatchScript(
            specs: [Self.spec(["a"], deadline: Self.now + 3600), Self.spec(["b"], deadline: Self.now + 61)],
            jobName: "n", options: options, base: Self.base, now: Self.now)
        #expect(tasks.text.contains("#SBATCH --time=01:00:00\n"))
        let passed = SlurmBatchScript(
            specs: [Self.spec(["a"], deadline: Self.now - 10)], jobName: "n", options: options, base: Self.base,
            now: Self.now)
        #expect(passed.text.contains("#SBATCH --time=00:01:00\n"))
    }

    @Test func outputFilesFollowTheScriptPattern() {
        #expect(
            SlurmBatchScript.outputFile(jobDirectory: "/j", jobName: "n", jobID: "42", index: nil) == "/j/n-42.out")
        #expect(SlurmBatchScript.outputFile(jobDirectory: "/j", jobName: "n", jobID: "42", index: 3) == "/j/n-42_3.out")
    }
}

@Suite("Slurm job states")
struct SlurmTaskStateTests {
    @Test func scontrolLinesGiveStateExitCodeAndArrayIndex() {
        // Shortened real `scontrol show job -o` lines from slurm-wlm 22.05 (Debian 12).
        let lines = [
            "JobId=1 JobName=wrap UserId=root(0) JobState=FAILED Reason=NonZeroExitCode Dependency=(null) "
                + "ExitCode=3:0 RunTime=00:00:00 TimeLimit=UNLIMITED",
            "JobId=3 ArrayJobId=2 ArrayTaskId=1 JobName=wrap JobState=CANCELLED Reason=None ExitCode=0:15",
            "JobId=2 ArrayJobId=2 ArrayTaskId=2-3 JobName=wrap JobState=PENDING Reason=None ExitCode=0:0",
            "slurm_load_jobs error: Invalid job id specified",
        ]
        let states = SlurmTaskState.parseScontrol(lines)
        #expect(
            states == [
                SlurmTaskState(arrayIndex: nil, state: "FAILED", exitCode: 3, signal: 0),
                SlurmTaskState(arrayIndex: 1, state: "CANCELLED", exitCode: 0, signal: 15),
                SlurmTaskState(arrayIndex: nil, isPendingRange: true, state: "PENDING", exitCode: 0, signal: 0),
            ])
        #expect(states.map(\.isFinished) == [true, true, false])
    }

    @Test func sacctLinesSkipStepsAndReadCancelledBy() {
        let lines = ["12_0|COMPLETED|0:0", "12_0.batch|COMPLETED|0:0", "12_1|CANCELLED by 0|0:15", "13|TIMEOUT|0:0"]
        let states = SlurmTaskState.parseSacct(lines)
        #expect(
            states == [
                SlurmTaskState(arrayIndex: 0, state: "COMPLETED", exitCode: 0, signal: 0),
                SlurmTaskState(arrayIndex: 1, state: "CANCELLED", exitCode: 0, signal: 15),
                SlurmTaskState(arrayIndex: nil, state: "TIMEOUT", exitCode: 0, signal: 0),
            ])
        #expect(states.map(\.reachedTimeLimit) == [false, false, true])
    }
}
