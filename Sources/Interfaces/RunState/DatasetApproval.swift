import AgentCore
public import DataEngine
import Foundation

/// The approval of one dataset by the `data` tool: the only data the same iteration's training may use.
///
/// Recorded in the store (`data.validated`), which is the one source of truth: the rules and the `train` tool both
/// read it from ``RunState``. The file's hash notices a change after the approval.
public struct DatasetApproval: Sendable, Hashable, Codable {
    /// The dataset name as registered for training (in the iteration's `dataset_info.json`).
    public var name: String
    /// The data file: relative to the run folder in records, absolute in ``RunState``.
    public var file: String
    /// The shape of the rows.
    public var format: DatasetFormat?
    /// SHA-256 of the file's bytes when it was approved, in hex; `nil` in records written by 0.1.0.
    public var contentHash: String?
    /// Rows in the approved file.
    public var samples: Int?

    /// Creates an approval.
    public init(name: String, file: String, format: DatasetFormat? = nil, contentHash: String? = nil, samples: Int? = nil) {
        self.name = name
        self.file = file
        self.format = format
        self.contentHash = contentHash
        self.samples = samples
    }

    /// Why the dataset may not be trained on now, or `nil` when its file is there and unchanged since.
    public func refusal() -> String? {
        guard let data = FileManager.default.contents(atPath: file) else {
            return "dataset '\(name)' was approved but \(file) is gone: build and validate it again"
        }
        if let contentHash, SHA256.hex(of: data) != contentHash {
            return "dataset '\(name)' changed after it was approved: validate it again"
        }
        return nil
    }
}
