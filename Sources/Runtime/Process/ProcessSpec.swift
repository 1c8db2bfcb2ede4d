public import AgentCore
public import Foundation

/// What to run: a program, its arguments and environment, where, and until when.
public struct ProcessSpec: Sendable, Hashable {
    /// A path to the program, or a bare name looked up on `environment["PATH"]`.
    public var executable: String
    /// The arguments, without the program itself.
    public var arguments: [String]
    /// The child's complete environment (nothing else is inherited).
    public var environment: [String: String]
    /// The child's working directory; `nil` keeps the caller's.
    public var workingDirectory: URL?
    /// When set, the whole process group is terminated once this time is reached.
    public var deadline: Date?
    /// How long the group gets between `SIGTERM` and `SIGKILL` when it is torn down.
    public var terminationGracePeriod: Duration

    /// Creates a spec.
    ///
    /// - Parameters:
    ///   - executable: A path, or a name looked up on the `PATH` of `environment`.
    ///   - arguments: The arguments, without the program itself.
    ///   - environment: The child's whole environment; by default the caller's, with secrets removed.
    ///   - workingDirectory: The child's working directory; `nil` keeps the caller's.
    ///   - deadline: When the whole process group is terminated, if it is still running.
    ///   - terminationGracePeriod: Time between `SIGTERM` and `SIGKILL` at teardown.
    public init(
        executable: String,
        arguments: [String] = [],
        environment: [String: String] = Secrets.scrub(environment: ProcessInfo.processInfo.environment),
        workingDirectory: URL? = nil,
        deadline: Date? = nil,
        terminationGracePeriod: Duration = .seconds(5)
    ) {
        self.executable = executable
        self.arguments = arguments
        self.environment = environment
        self.workingDirectory = workingDirectory
        self.deadline = deadline
        self.terminationGracePeriod = terminationGracePeriod
    }

    /// The command line as one string, for logs and events (`executable` followed by the arguments).
    public var commandLine: [String] { [executable] + arguments }
}
