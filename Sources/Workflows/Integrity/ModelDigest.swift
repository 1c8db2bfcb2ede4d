import AgentCore
import Evaluation
public import Foundation

/// The SHA-256 of every file of a model folder, to tell later whether anything in it changed.
///
/// Large weights are hashed by `sha256sum` (coreutils, ~0.5 GB/s) when it is on the machine, else by the package's
/// own SHA-256.
public struct ModelDigest: Sendable, Hashable, Codable {
    /// Relative path → SHA-256 (hex) of each regular file, hidden files included.
    public var files: [String: String]

    /// One hash of the whole folder (the sorted `path hash` lines).
    public var combined: String {
        SHA256.hex(of: Data(files.keys.sorted().map { "\($0) \(files[$0]!)\n" }.joined().utf8))
    }

    /// Hashes every file under `folder`.
    /// - Throws: when the folder cannot be listed or a file cannot be read.
    public init(of folder: URL) throws {
        let root = folder.standardizedFileURL.resolvingSymlinksInPath()
        var paths: [String] = []
        guard let walker = FileManager.default.enumerator(at: root, includingPropertiesForKeys: [.isRegularFileKey])
        else { throw CocoaError(.fileReadNoSuchFile, userInfo: [NSFilePathErrorKey: folder.path]) }
        for case let url as URL in walker
        where (try? url.resourceValues(forKeys: [.isRegularFileKey]).isRegularFile) == true {
            paths.append(String(url.standardizedFileURL.resolvingSymlinksInPath().path.dropFirst(root.path.count + 1)))
        }
        files = try Self.hash(paths.sorted(), in: root)
    }

    /// What changed from `self` (the recorded state) to `now`, one line per file; empty when nothing did.
    public func changes(to now: ModelDigest) -> [String] {
        var lines: [String] = []
        for path in files.keys.sorted() {
            guard let current = now.files[path] else {
                lines.append("\(path) was removed")
                continue
            }
            if current != files[path] { lines.append("\(path) was changed") }
        }
        for path in now.files.keys.sorted() where files[path] == nil { lines.append("\(path) was added") }
        return lines
    }

    private static func hash(_ paths: [String], in root: URL) throws -> [String: String] {
        guard !paths.isEmpty else { return [:] }
        if let tool = ["/usr/bin/sha256sum", "/bin/sha256sum"].first(where: FileManager.default.isExecutableFile) {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: tool)
            process.arguments = ["--"] + paths
            process.currentDirectoryURL = root
            let pipe = Pipe()
            process.standardOutput = pipe
            process.standardError = FileHandle.nullDevice
            try process.run()
            let output = pipe.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            if process.terminationStatus == 0 {
                var hashes: [String: String] = [:]
                for line in String(decoding: output, as: UTF8.self).split(separator: "\n") {
                    let parts = line.split(separator: " ", maxSplits: 1)
                    guard parts.count == 2 else { continue }
                    hashes[String(parts[1].drop { $0 == " " || $0 == "*" })] = String(parts[0])
                }
                if hashes.count == paths.count { return hashes }
            }
        }
        var hashes: [String: String] = [:]
        for path in paths {
            hashes[path] = SHA256.hex(of: try Data(contentsOf: root.appendingPathComponent(path)))
        }
        return hashes
    }
}
