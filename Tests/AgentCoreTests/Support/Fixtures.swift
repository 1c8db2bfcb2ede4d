import Foundation

/// Recorded wire traffic under Tests/AgentCoreTests/Fixtures, found next to this source file.
enum Fixtures {
    static let directory = URL(filePath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appending(path: "Fixtures")

    /// The bytes of `path`, relative to the Fixtures folder.
    static func bytes(_ path: String) throws -> [UInt8] {
        Array(try Data(contentsOf: directory.appending(path: path)))
    }
}
