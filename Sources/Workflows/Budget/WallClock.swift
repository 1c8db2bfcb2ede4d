public import Foundation

/// The source of the current time for a ``BudgetClock``: the system clock in runs, a manual clock in tests.
public protocol WallClock: Sendable {
    /// The current time.
    func now() -> Date
}

/// The system's wall clock.
public struct SystemWallClock: WallClock {
    /// Creates the system clock.
    public init() {}

    /// The current time.
    public func now() -> Date { Date() }
}
