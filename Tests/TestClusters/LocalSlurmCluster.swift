public import Foundation
import Runtime

/// A real single-node Slurm (munged, slurmctld, slurmd from Debian's packages) on localhost, for the executor tests.
///
/// Everything lives in a temporary folder: a generated `slurm.conf` (no accounting, `proctrack/linuxproc`,
/// `task/none`, `select/cons_tres`, one node with 2 CPUs), state and spool folders, logs, and a munge socket.
/// The daemons run in the foreground under `ProcessRunner` and are stopped at the end.
public struct LocalSlurmCluster: Sendable {
    public static let programs = [
        "/usr/sbin/munged", "/usr/sbin/slurmctld", "/usr/sbin/slurmd", "/usr/bin/sbatch", "/usr/bin/scontrol",
        "/usr/bin/scancel", "/usr/bin/sinfo",
    ]

    /// The folder holding the configuration, state, logs and job files.
    public let directory: URL

    /// The environment for the Slurm client commands: this process's, with `SLURM_CONF` pointing at the cluster.
    public var environment: [String: String] {
        var environment = ProcessInfo.processInfo.environment
        environment["SLURM_CONF"] = directory.appendingPathComponent("slurm.conf").path
        return environment
    }

    /// Starts a cluster, runs `body`, and stops the daemons (whether `body` threw or not).
    public static func with<T>(_ body: (LocalSlurmCluster) async throws -> T) async throws -> T {
        try await MissingTestService.require(programs)
        let directory = URL(fileURLWithPath: "/tmp/autotrainess-slurm-\(UUID().uuidString.prefix(8))")
        for folder in ["state", "spool", "log", "jobs"] {
            try FileManager.default.createDirectory(
                at: directory.appendingPathComponent(folder), withIntermediateDirectories: true)
        }
        defer { try? FileManager.default.removeItem(at: directory) }
        // munged checks that every client can reach its socket's folder.
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: directory.path)
        let path = directory.path
        let controllerPort = try TestServices.freePort()
        var nodePort = try TestServices.freePort()
        while nodePort == controllerPort {
            nodePort = try TestServices.freePort()
        }
        let config = """
            ClusterName=autotrainess
            SlurmctldHost=localhost
            SlurmctldPort=\(controllerPort)
            SlurmdPort=\(nodePort)
            SlurmUser=root
            SlurmdUser=root
            AuthType=auth/munge
            AuthInfo=socket=\(path)/munge.socket
            StateSaveLocation=\(path)/state
            SlurmdSpoolDir=\(path)/spool
            SlurmctldPidFile=\(path)/slurmctld.pid
            SlurmdPidFile=\(path)/slurmd.pid
            SlurmctldLogFile=\(path)/log/slurmctld.log
            SlurmdLogFile=\(path)/log/slurmd.log
            ProctrackType=proctrack/linuxproc
            TaskPlugin=task/none
            SelectType=select/cons_tres
            SelectTypeParameters=CR_Core
            AccountingStorageType=accounting_storage/none
            JobAcctGatherType=jobacct_gather/none
            JobCompType=jobcomp/none
            MpiDefault=none
            ReturnToService=2
            SchedulerType=sched/builtin
            KillWait=2
            MinJobAge=300
            NodeName=localhost CPUs=2 State=UNKNOWN
            PartitionName=debug Nodes=localhost Default=YES MaxTime=INFINITE State=UP

            """
        try config.write(to: directory.appendingPathComponent("slurm.conf"), atomically: true, encoding: .utf8)
        let cluster = LocalSlurmCluster(directory: directory)

        var daemons: [ForegroundDaemon] = []
        do {
            daemons.append(
                ForegroundDaemon(
                    name: "munged",
                    spec: ProcessSpec(
                        executable: "/usr/sbin/munged",
                        arguments: [
                            "--foreground", "--force", "--socket=\(path)/munge.socket",
                            "--pid-file=\(path)/munged.pid", "--log-file=\(path)/log/munged.log",
                            "--seed-file=\(path)/munged.seed",
                        ])))
            // On a loaded machine munged takes tens of seconds to seed its key and open the socket.
            try await TestServices.wait("munged's socket", seconds: 60) {
                FileManager.default.fileExists(atPath: "\(path)/munge.socket")
            }
            for daemon in ["slurmctld", "slurmd"] {
                daemons.append(
                    ForegroundDaemon(
                        name: daemon,
                        spec: ProcessSpec(
                            executable: "/usr/sbin/\(daemon)", arguments: ["-D", "-f", "\(path)/slurm.conf"],
                            environment: cluster.environment)))
            }
            try await TestServices.wait("the Slurm node to become idle", seconds: 90) {
                let state = try? await TestServices.run(
                    "/usr/bin/sinfo", ["-h", "-o", "%T"], environment: cluster.environment)
                return state?.contains("idle") == true
            }
            let result = try await body(cluster)
            await stop(daemons)
            return result
        } catch {
            let logs = daemons.map { "\($0.name): " + $0.output.suffix(5).joined(separator: " | ") }
            await stop(daemons)
            if error is TestServiceFailure {
                throw TestServiceFailure(description: "\(error) Daemon output: \(logs.joined(separator: "; "))")
            }
            throw error
        }
    }

    private static func stop(_ daemons: [ForegroundDaemon]) async {
        for daemon in daemons.reversed() {
            await daemon.stop()
        }
    }
}
