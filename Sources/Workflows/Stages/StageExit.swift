import Foundation
public import Interfaces

/// Where a stage goes when one of its exits is met.
public enum StageTarget: Sendable, Hashable, Codable {
    /// Continue with the named stage.
    case stage(String)
    /// The workflow is done.
    case finish
}

/// One way out of a stage: a condition on the run's progress and the stage it leads to.
public struct StageExit: Sendable {
    /// What the condition means, e.g. `"baseline recorded"` (logged with the transition).
    public var name: String
    /// Where the run goes when the condition holds.
    public var target: StageTarget
    private let condition: @Sendable (IterationProgress) -> Bool

    /// Creates an exit.
    /// - Parameters:
    ///   - name: what the condition means.
    ///   - target: where the run goes when it holds.
    ///   - condition: a check of the run's progress.
    public init(
        _ name: String, to target: StageTarget, when condition: @escaping @Sendable (IterationProgress) -> Bool
    ) {
        self.name = name
        self.target = target
        self.condition = condition
    }

    /// Whether the exit's condition holds for `progress`.
    public func isMet(by progress: IterationProgress) -> Bool { condition(progress) }
}
