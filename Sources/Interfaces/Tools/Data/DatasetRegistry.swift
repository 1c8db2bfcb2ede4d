import AgentCore
import Evaluation
import Foundation

/// The approval of one dataset: what was checked, so that a later change to the file is noticed.
public struct DatasetApproval: Sendable, Hashable, Codable {
    public var name: String
    /// The data file, inside the iteration's `data/` folder.
    public var fileName: String
    /// The shape of the rows.
    public var format: DatasetFormat
    /// SHA-256 of the file's bytes when it was approved, in hex.
    public var contentHash: String
    /// Rows in the approved file.
    public var samples: Int
    /// When it was approved.
    public var approvedAt: Date
}

/// The datasets approved for one iteration: `data/dataset_info.json` (what LlamaFactory reads) and
/// `data/approvals.json` (hashes that the `train` tool checks).
public struct DatasetRegistry: Sendable {
    /// The run folder.
    public let workspace: Workspace
    /// The iteration whose datasets these are.
    public let iteration: IterationPaths

    /// Creates the registry of one iteration.
    public init(workspace: Workspace, iteration: IterationPaths) {
        self.workspace = workspace
        self.iteration = iteration
    }

    /// Approvals by dataset name.
    /// - Throws: ``WorkspaceError/invalidFile(path:reason:)`` when `approvals.json` is unreadable.
    public func approvals() throws -> [String: DatasetApproval] {
        guard let data = FileManager.default.contents(atPath: iteration.approvals.path) else { return [:] }
        do {
            return try RecordCoding.decoder.decode([String: DatasetApproval].self, from: data)
        } catch {
            throw WorkspaceError.invalidFile(path: iteration.approvals.path, reason: "\(error)")
        }
    }

    /// Registers `file` under `name` in `dataset_info.json` and records its approval.
    /// - Throws: ``WorkspaceError`` on I/O errors.
    public func approve(name: String, file: URL, format: DatasetFormat, samples: Int) throws {
        var info: [String: JSONValue] = [:]
        if let data = FileManager.default.contents(atPath: iteration.datasetInfo.path) {
            info = (try? JSONDecoder().decode([String: JSONValue].self, from: data)) ?? [:]
        }
        let hasSystem = (try? DatasetBuilder.readRows(file))?.contains { $0["system"] != nil } ?? true
        info[name] = format.datasetInfoEntry(fileName: file.lastPathComponent, hasSystem: hasSystem)
        var approvals = try approvals()
        approvals[name] = DatasetApproval(
            name: name, fileName: file.lastPathComponent, format: format, contentHash: try Self.hash(of: file),
            samples: samples, approvedAt: Date())
        try workspace.writeJSON(info, to: iteration.datasetInfo)
        try workspace.writeJSON(approvals, to: iteration.approvals)
    }

    /// Removes `name` from `dataset_info.json` and the approvals (after a failed re-validation).
    /// - Throws: ``WorkspaceError`` on I/O errors.
    public func revoke(name: String) throws {
        var approvals = try approvals()
        guard approvals.removeValue(forKey: name) != nil else { return }
        if let data = FileManager.default.contents(atPath: iteration.datasetInfo.path),
            var info = try? JSONDecoder().decode([String: JSONValue].self, from: data)
        {
            info.removeValue(forKey: name)
            try workspace.writeJSON(info, to: iteration.datasetInfo)
        }
        try workspace.writeJSON(approvals, to: iteration.approvals)
    }

    /// Why `name` may not be trained on, or `nil` when it is approved and unchanged since.
    public func refusal(for name: String) throws -> String? {
        guard let approval = try approvals()[name] else {
            return "dataset '\(name)' is not approved for this iteration: validate it with the data tool first"
        }
        let file = iteration.data.appendingPathComponent(approval.fileName)
        guard FileManager.default.fileExists(atPath: file.path) else {
            return "dataset '\(name)' was approved but \(approval.fileName) is gone: build and validate it again"
        }
        guard try Self.hash(of: file) == approval.contentHash else {
            return "dataset '\(name)' changed after it was approved: validate it again"
        }
        return nil
    }

    /// FNV-1a 64-bit hash of a file's bytes, in hex.
    /// - Throws: ``WorkspaceError/io(path:reason:)`` when the file cannot be read.
    static func hash(of file: URL) throws -> String {
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw WorkspaceError.io(path: file.path, reason: "cannot read the file")
        }
        return SHA256.hex(of: data)
    }
}
