public import AgentCore
public import Foundation

/// LlamaFactory's own Ray mode for a training job: `USE_RAY=1` and `ray_num_workers`, so that `llamafactory-cli
/// train` (run as a Ray job's driver, `RayJobsExecutor`) starts one worker actor per device across the cluster's
/// nodes and trains with them as one distributed job (rank 0 writes the output folder, as a plain run does).
///
/// The driver runs `Python/llamafactory/ray_train.py`, which gives the run one placement-group bundle per worker:
/// LlamaFactory 0.9.5 asks for one bundle per device of the whole cluster, with 10 CPUs each, which a CPU-only cluster
/// can never place (upstream issue hiyouga/LlamaFactory#10348). It also takes the device type from the cluster (any
/// GPU: one per worker) rather than from the driver's node, and fails a placement the cluster cannot hold after
/// `AUTOTRAINESS_RAY_PLACEMENT_TIMEOUT` seconds (300). The output folder and the launcher must be on storage every
/// node shares; the managed venv (with `ray` at the cluster's version) must be where the workers can run it
/// (``RayJobsExecutor/pythonExecutable``).
public struct RayTraining: Sendable, Hashable, Codable {
    /// Worker actors (one device each on an accelerator cluster, `cpusPerWorker` CPUs on a CPU-only one).
    public var workers: Int
    /// CPUs each worker reserves.
    public var cpusPerWorker: Double

    /// Creates a Ray training mode.
    public init(workers: Int, cpusPerWorker: Double = 1) {
        self.workers = workers
        self.cpusPerWorker = cpusPerWorker
    }

    /// The launcher the driver runs (`python ray_train.py CONFIG`).
    public static var launcher: URL {
        PackageResources.python.appendingPathComponent("llamafactory/ray_train.py")
    }
}
