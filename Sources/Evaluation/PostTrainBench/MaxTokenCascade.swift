/// The retry schedule of a PostTrainBench evaluation: a few attempts with the task's defaults, then fewer with a
/// reduced generation budget, then fewer still with a smaller one (what the benchmark's own runner does when an
/// evaluation produces no metrics file, e.g. after running out of memory or time on long generations).
public struct MaxTokenCascade: Sendable, Hashable, Codable {
    /// One step of the schedule.
    public struct Phase: Sendable, Hashable, Codable {
        /// How many attempts this phase gets.
        public var attempts: Int
        /// Arguments added to `evaluate.py` in this phase, e.g. `["--max-tokens", "3000"]`.
        public var arguments: [String]

        /// A phase.
        public init(attempts: Int, arguments: [String]) {
            self.attempts = attempts
            self.arguments = arguments
        }
    }

    /// The phases, in order.
    public var phases: [Phase]

    /// A schedule.
    public init(phases: [Phase]) {
        self.phases = phases
    }

    /// A single attempt with the task's defaults.
    public static let once = MaxTokenCascade(phases: [Phase(attempts: 1, arguments: [])])

    /// PostTrainBench's schedule for `task` (4 attempts as is, 3 with the first reduction, 2 with the second).
    /// Tasks the benchmark gives no reduction (and unknown tasks) retry with their defaults.
    public static func postTrainBench(task: String) -> MaxTokenCascade {
        let reductions: (flag: String, first: String, second: String)? =
            switch task {
            case "aime2025", "bfcl", "gpqamain": ("--max-tokens", "12000", "8000")
            case "arenahardwriting", "healthbench": ("--max-new-tokens", "12288", "8192")
            case "gsm8k", "humaneval": ("--max-tokens", "3000", "2000")
            default: nil
            }
        guard let reductions else {
            return MaxTokenCascade(phases: [
                Phase(attempts: 4, arguments: []), Phase(attempts: 3, arguments: []), Phase(attempts: 2, arguments: []),
            ])
        }
        return MaxTokenCascade(phases: [
            Phase(attempts: 4, arguments: []),
            Phase(attempts: 3, arguments: [reductions.flag, reductions.first]),
            Phase(attempts: 2, arguments: [reductions.flag, reductions.second]),
        ])
    }
}
