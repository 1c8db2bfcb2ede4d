import AgentCore
public import Foundation
public import TrainingBackends

/// Where a run's training jobs run (task file `executor:`): on this machine (the default), on a host over SSH, as
/// Slurm batch jobs, or as Ray jobs through a cluster's Jobs API. Evaluation stays on this machine.
///
/// ```yaml
/// executor:
///   kind: slurm                     # local | ssh | slurm | ray
///   job_directory: /shared/jobs     # slurm: a folder the compute nodes see (batch scripts and output)
///   partition: gpu                  # slurm, optional: account, gpus_per_job, cpus_per_task, memory, directives,
///                                   #   slurm_conf (the cluster's slurm.conf when not the default)
/// # kind: ssh
/// # host: gpu-box                   # ssh: the host; optional user, port, identity_file
/// # remote_work_directory: /scratch/autotrainess
/// # path_mappings: {/home/me/runs: /scratch/runs}   # local folder: where the host sees it (staged with rsync)
/// # kind: ray
/// # address: http://head:8265      # ray: the head's dashboard (Jobs REST API)
/// # cpus_per_job: 4                 # ray, optional: gpus_per_job, autoscales, pending_limit_seconds
/// # train_workers: 8                # ray, optional: LlamaFactory's own Ray mode, 8 workers across the nodes,
/// # cpus_per_worker: 8              #   each reserving 8 CPUs (default 1) and, on a GPU cluster, one GPU
/// # python: /opt/venv/bin/python    # ray, optional: the Python the workers run (the managed venv's)
/// # path_mappings: {/mnt/lab: /lab} # ray: where the nodes see shared storage mounted elsewhere here (no copy)
/// ```
/// The job runs the managed venv's `llamafactory-cli` by its local path (mapped for SSH): the host or the compute
/// nodes need that venv at that path (a shared file system, or the same installation).
public struct ExecutorSpec: Sendable, Hashable, Codable {
    public enum Kind: String, Sendable, Hashable, Codable, CaseIterable { case local, ssh, slurm, ray }

    public var kind: Kind
    public var host: String?
    public var user: String?
    public var port: Int?
    public var identityFile: String?
    public var remoteWorkDirectory: String?
    public var pathMappings: [String: String]?
    public var jobDirectory: String?
    public var partition: String?
    public var account: String?
    public var gpusPerJob: Int?
    public var cpusPerTask: Int?
    public var memory: String?
    public var directives: [String]?
    public var slurmConf: String?
    public var address: String?
    public var cpusPerJob: Double?
    public var autoscales: Bool?
    public var pendingLimitSeconds: Int?
    public var python: String?
    public var trainWorkers: Int?
    public var cpusPerWorker: Double?

    public init(kind: Kind) { self.kind = kind }

    enum CodingKeys: String, CodingKey, CaseIterable {
        case kind, host, user, port, partition, account, memory, directives, address, autoscales, python
        case trainWorkers = "train_workers"
        case cpusPerWorker = "cpus_per_worker"
        case cpusPerJob = "cpus_per_job"
        case pendingLimitSeconds = "pending_limit_seconds"
        case identityFile = "identity_file"
        case remoteWorkDirectory = "remote_work_directory"
        case pathMappings = "path_mappings"
        case jobDirectory = "job_directory"
        case gpusPerJob = "gpus_per_job"
        case cpusPerTask = "cpus_per_task"
        case slurmConf = "slurm_conf"
    }

    /// The keys an `executor:` section may have.
    static var fieldNames: [String] { CodingKeys.allCases.map(\.rawValue) }

    /// The executor the training backend hands its jobs to.
    /// - Throws: ``TaskSpecError`` naming the field a kind needs and lacks.
    public func make(path: String) throws -> any Executor {
        let mappings = (pathMappings ?? [:]).sorted { $0.key < $1.key }.map {
            PathMapping(local: $0.key, remote: $0.value)
        }
        func missing(_ field: String, _ why: String) -> TaskSpecError {
            .invalid(path: path, field: "executor.\(field)", problem: "missing; \(why)")
        }
        switch kind {
        case .local:
            return LocalExecutor()
        case .ssh:
            guard let host else { throw missing("host", "an ssh executor needs the host to run jobs on") }
            guard let remoteWorkDirectory else {
                throw missing("remote_work_directory", "a writable folder on the host for job bookkeeping")
            }
            return SSHExecutor(
                host: SSHHost(
                    host: host, port: port, user: user, identityFile: identityFile,
                    remoteWorkDirectory: remoteWorkDirectory),
                pathMappings: mappings)
        case .slurm:
            guard let jobDirectory else {
                throw missing("job_directory", "a folder the compute nodes see, for batch scripts and output")
            }
            var environment = Secrets.scrub(environment: ProcessInfo.processInfo.environment)
            if let slurmConf {
                environment["SLURM_CONF"] = slurmConf
            }
            return SlurmExecutor(
                options: SlurmOptions(
                    jobDirectory: jobDirectory, partition: partition, account: account, gpus: gpusPerJob ?? 0,
                    cpusPerTask: cpusPerTask, memory: memory, extraDirectives: directives ?? []),
                environment: environment)
        case .ray:
            guard let address, let url = URL(string: address), url.scheme?.hasPrefix("http") == true else {
                throw missing("address", "a ray executor needs the head's dashboard, e.g. http://head:8265")
            }
            if let trainWorkers, trainWorkers < 1 {
                throw TaskSpecError.invalid(
                    path: path, field: "executor.train_workers", problem: "must be 1 or more (or left out)")
            }
            if let cpusPerWorker, cpusPerWorker < 1 {
                throw TaskSpecError.invalid(
                    path: path, field: "executor.cpus_per_worker",
                    problem: "must be 1 or more (LlamaFactory places a 1-CPU task in each worker's bundle)")
            }
            return RayJobsExecutor(
                address: url, cpus: cpusPerJob, gpus: Double(gpusPerJob ?? 0),
                pendingLimit: .seconds(pendingLimitSeconds ?? 300), autoscales: autoscales ?? false,
                pythonExecutable: python, pathMappings: mappings)
        }
    }

    /// LlamaFactory's own Ray mode for training, when a `ray` executor sets `train_workers`.
    public var rayTraining: RayTraining? {
        guard kind == .ray, let trainWorkers else { return nil }
        return RayTraining(workers: trainWorkers, cpusPerWorker: cpusPerWorker ?? 1)
    }

    /// The command line's `--executor kind=slurm,job_directory=/shared/jobs,partition=gpu`: the task file's keys as
    /// `key=value` pairs (numbers and `true`/`false` as such; `path_mappings` as `local:remote` pairs joined by `;`).
    /// - Throws: ``TaskSpecError`` naming the key that is unknown or malformed.
    public static func parse(_ text: String) throws -> ExecutorSpec {
        var object: [String: JSONValue] = [:]
        for pair in text.split(separator: ",") {
            let parts = pair.split(separator: "=", maxSplits: 1).map { String($0).trimmingCharacters(in: .whitespaces) }
            guard parts.count == 2, !parts[0].isEmpty else {
                throw TaskSpecError.invalid(
                    path: "--executor", field: String(pair), problem: "write key=value pairs, e.g. kind=ray,address=http://head:8265")
            }
            let (key, value) = (parts[0], parts[1])
            try TaskSpec.rejectUnknown([key], known: fieldNames, path: "--executor")
            if key == "path_mappings" {
                let mappings = value.split(separator: ";").map { $0.split(separator: ":", maxSplits: 1).map(String.init) }
                guard mappings.allSatisfy({ $0.count == 2 }) else {
                    throw TaskSpecError.invalid(path: "--executor", field: key, problem: "write local:remote;local:remote")
                }
                object[key] = .object(Dictionary(uniqueKeysWithValues: mappings.map { ($0[0], JSONValue.string($0[1])) }))
            } else if key == "directives" {
                object[key] = .array(value.split(separator: ";").map { .string(String($0)) })
            } else if let number = Double(value), key != "host", key != "address" {
                object[key] = .number(number)
            } else if value == "true" || value == "false" {
                object[key] = .bool(value == "true")
            } else {
                object[key] = .string(value)
            }
        }
        do {
            return try JSONValue.object(object).decode(as: ExecutorSpec.self)
        } catch {
            throw TaskSpecError.invalid(
                path: "--executor", field: "kind", problem: "kind must be one of local, ssh, slurm, ray (\(error))")
        }
    }
}
