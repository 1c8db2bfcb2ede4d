/// What a `SlurmExecutor` asks the cluster for, and where it keeps batch scripts and output files.
public struct SlurmOptions: Sendable, Hashable, Codable {
    /// A folder on a filesystem shared with the compute nodes, for batch scripts and job output files.
    public var jobDirectory: String
    /// The job-name prefix (`--job-name=<prefix>-<id>`).
    public var jobNamePrefix: String
    /// The partition (`--partition`); `nil` uses the cluster's default.
    public var partition: String?
    /// The account (`--account`); `nil` uses the user's default.
    public var account: String?
    /// GPUs per job or array task (`--gres=gpu:N`); 0 asks for none.
    public var gpus: Int
    /// CPUs per task (`--cpus-per-task`); `nil` uses the cluster's default.
    public var cpusPerTask: Int?
    /// Memory per node (`--mem`, for example `32G`); `nil` uses the cluster's default.
    public var memory: String?
    /// The time limit when the spec has no deadline (`--time`, in minutes); `nil` leaves the partition's limit.
    public var defaultTimeLimitMinutes: Int?
    /// At most this many array tasks run at once (`--array=0-N%limit`); `nil` lets the scheduler decide.
    public var maxParallelTasks: Int?
    /// Further `#SBATCH` lines, written as given after the others (for example `--constraint=a100`).
    public var extraDirectives: [String]
    /// Seconds between two polls of the job's state and output files.
    public var pollIntervalSeconds: Double
    /// How long to wait for the job to end after `scancel` before giving up waiting.
    public var cancelWaitSeconds: Double

    /// Creates options; see the properties for each one's meaning.
    public init(
        jobDirectory: String, jobNamePrefix: String = "autotrainess", partition: String? = nil,
        account: String? = nil, gpus: Int = 0, cpusPerTask: Int? = nil, memory: String? = nil,
        defaultTimeLimitMinutes: Int? = nil, maxParallelTasks: Int? = nil, extraDirectives: [String] = [],
        pollIntervalSeconds: Double = 1, cancelWaitSeconds: Double = 60
    ) {
        self.jobDirectory = jobDirectory
        self.jobNamePrefix = jobNamePrefix
        self.partition = partition
        self.account = account
        self.gpus = gpus
        self.cpusPerTask = cpusPerTask
        self.memory = memory
        self.defaultTimeLimitMinutes = defaultTimeLimitMinutes
        self.maxParallelTasks = maxParallelTasks
        self.extraDirectives = extraDirectives
        self.pollIntervalSeconds = pollIntervalSeconds
        self.cancelWaitSeconds = cancelWaitSeconds
    }
}
