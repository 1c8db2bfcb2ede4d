/// The version of this package, recorded in every run's `run.json`.
public enum AutoTrainessVersion {
    /// The current version.
    public static let current = "0.1.0"
}
