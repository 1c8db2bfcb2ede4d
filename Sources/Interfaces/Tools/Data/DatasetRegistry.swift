import AgentCore
public import DataEngine
public import Foundation

/// The datasets registered for training in one iteration: `data/dataset_info.json`, the file LlamaFactory reads.
///
/// Approvals themselves are records (`data.validated`, read through ``RunState/approvals``); this file only tells
/// the trainer where each approved dataset is and how its rows are shaped.
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

    /// Registers `file` under `name` in `dataset_info.json` and returns its approval, to be recorded.
    /// - Throws: ``WorkspaceError`` on I/O errors.
    public func approve(name: String, file: URL, format: DatasetFormat, samples: Int) throws -> DatasetApproval {
        var info = datasetInfo()
        let hasSystem = (try? DatasetBuilder.readRows(file))?.contains { $0["system"] != nil } ?? true
        info[name] = format.datasetInfoEntry(fileName: file.lastPathComponent, hasSystem: hasSystem)
        guard let data = FileManager.default.contents(atPath: file.path) else {
            throw WorkspaceError.io(path: file.path, reason: "cannot read the file")
        }
        try workspace.writeJSON(info, to: iteration.datasetInfo)
        return DatasetApproval(
            name: name, file: workspace.relativePath(of: file), format: format, contentHash: SHA256.hex(of: data),
            samples: samples)
    }

    /// Removes `name` from `dataset_info.json` (after a rebuild or a failed re-validation).
    /// - Throws: ``WorkspaceError`` on I/O errors.
    public func revoke(name: String) throws {
        var info = datasetInfo()
        guard info.removeValue(forKey: name) != nil else { return }
        try workspace.writeJSON(info, to: iteration.datasetInfo)
    }

    /// The datasets approved in the iteration (registered in its `dataset_info.json`).
    public func approvedNames() -> [String] { datasetInfo().keys.sorted() }

    private func datasetInfo() -> [String: JSONValue] {
        guard let data = FileManager.default.contents(atPath: iteration.datasetInfo.path) else { return [:] }
        return (try? JSONDecoder().decode([String: JSONValue].self, from: data)) ?? [:]
    }
}
