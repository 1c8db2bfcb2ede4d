import AgentCore
public import Foundation
import Interfaces
public import Workflows

/// Keeps a run's deadline on a PostTrainBench task's `timer.sh`: the benchmark's clock runs whether or not the run
/// does (and its hard kill comes minutes after the timer expires), so the timer is read when a session starts and
/// every ``interval`` while it runs. A reading that leaves less time than the run's deadline moves the deadline
/// earlier (``BudgetClock/tighten(deadline:)``), records ``DeadlineMoved`` and says so; a running job then stops at
/// its next step and the workflow at its next step boundary, and `final_model/` keeps the best so far.
public struct PostTrainBenchTimerWatch: Sendable {
    /// The task folder holding `timer.sh`.
    public var taskDirectory: URL
    /// The run's budget.
    public var budget: BudgetClock
    /// Where ``DeadlineMoved`` is recorded.
    public var store: any ExperimentStore
    /// Time between readings while the run goes on.
    public var interval: Duration
    /// Where the move is said.
    public var progress: @Sendable (String) -> Void

    public init(
        taskDirectory: URL, budget: BudgetClock, store: any ExperimentStore, interval: Duration = .seconds(60),
        progress: @escaping @Sendable (String) -> Void
    ) {
        self.taskDirectory = taskDirectory
        self.budget = budget
        self.store = store
        self.interval = interval
        self.progress = progress
    }

    /// Reads the timer once and moves the deadline when it says less is left. The timer's minute resolution is
    /// allowed for: a reading within a minute of the deadline leaves it where it is. An unreadable timer is said
    /// and changes nothing (the run's own deadline still holds).
    /// - Returns: whether the deadline moved.
    @discardableResult
    public func check() async -> Bool {
        let reading: PostTrainBenchTimer.Reading
        do {
            reading = try await PostTrainBenchTimer.read(taskDirectory: taskDirectory)
        } catch {
            progress("timer.sh could not be read (\(error)); the run keeps its own deadline.")
            return false
        }
        let now = budget.clock.now()
        let (deadline, said): (Date, String) =
            switch reading {
            case .expired: (now, "timer.sh: Timer expired!")
            case .remaining(let seconds):
                (now.addingTimeInterval(seconds), "timer.sh: \(Int(seconds) / 3600):\(String(format: "%02d", Int(seconds) % 3600 / 60)) left")
            }
        let current = await budget.limits.deadline
        let expiredNow = deadline <= now && current > now
        guard expiredNow || deadline < current.addingTimeInterval(-60), await budget.tighten(deadline: deadline) else {
            return false
        }
        _ = try? await store.append(DeadlineMoved(deadline: deadline, source: said))
        progress(
            "\(said); the run's deadline moves \(DurationText.format(current.timeIntervalSince(deadline))) earlier"
                + (deadline <= now ? ": the run stops at its next step and final_model/ keeps the best so far." : "."))
        return true
    }

    /// Reads the timer every ``interval`` until the task is cancelled.
    public func start() -> Task<Void, Never> {
        Task {
            while !Task.isCancelled {
                try? await Task.sleep(for: interval)
                if Task.isCancelled { return }
                await check()
            }
        }
    }
}
