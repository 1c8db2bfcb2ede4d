public import Foundation

/// Locates the folders this package ships beside its sources (Skills/, Python/), found at build time.
///
/// `Bundle.module` is avoided on purpose: on Linux it breaks when the resources folder is not beside the binary.
/// Set `AUTOTRAINESS_HOME` to a copy of the package's top folder to relocate everything.
public enum PackageResources {
    /// The package's top folder.
    public static var root: URL {
        if let home = ProcessInfo.processInfo.environment["AUTOTRAINESS_HOME"], !home.isEmpty {
            return URL(fileURLWithPath: home, isDirectory: true)
        }
        return URL(fileURLWithPath: #filePath)
            .deletingLastPathComponent()  // Support
            .deletingLastPathComponent()  // AgentCore
            .deletingLastPathComponent()  // Sources
            .deletingLastPathComponent()
    }

    /// The markdown skills the agent reads.
    public static var skills: URL { root.appendingPathComponent("Skills", isDirectory: true) }

    /// Pinned Python requirements and the helper scripts run in the managed environment.
    public static var python: URL { root.appendingPathComponent("Python", isDirectory: true) }
}
