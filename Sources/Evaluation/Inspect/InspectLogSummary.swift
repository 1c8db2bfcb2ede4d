import Foundation

/// What `autotrainess eval read` shows about an inspect log: status, task, model, metrics and sample counts.
public struct InspectLogSummary: Sendable, Hashable, Codable, CustomStringConvertible {
    /// `started`, `success`, `cancelled` or `error`.
    public var status: InspectLog.Status
    /// Task name.
    public var task: String
    /// Model string.
    public var model: String
    /// Creation time (ISO 8601 text).
    public var created: String
    /// The headline metric's name, when the log has results.
    public var headlineMetric: String?
    /// The headline metric's value.
    public var headlineValue: Double?
    /// Score name → metric name → value.
    public var metrics: [String: [String: Double]]
    /// Samples that completed (from the results), else the samples present in the log.
    public var sampleCount: Int
    /// Samples in the evaluation, when the results say.
    public var totalSamples: Int?
    /// The error message of an errored log.
    public var error: String?
    /// The log file.
    public var path: String

    /// The summary of `log`, read from `path`.
    public init(log: InspectLog, path: String) {
        status = log.status
        task = log.eval.task
        model = log.eval.model
        created = log.eval.created
        let headline = log.results.flatMap(InspectLogReader.headline(of:))
        headlineMetric = headline?.metric
        headlineValue = headline?.value
        var metrics: [String: [String: Double]] = [:]
        for score in log.results?.scores ?? [] { metrics[score.name] = score.metrics }
        self.metrics = metrics
        sampleCount = log.results?.completedSamples ?? Set(log.samples.map(\.id)).count
        totalSamples = log.results?.totalSamples
        error = log.error?.message
        self.path = path
    }

    /// A few human-readable lines.
    public var description: String {
        var lines = ["\(path)", "status: \(status.rawValue)", "task: \(task)", "model: \(model)"]
        if let headlineMetric, let headlineValue { lines.append("\(headlineMetric): \(format(headlineValue))") }
        for (score, values) in metrics.sorted(by: { $0.key < $1.key }) {
            let text = values.sorted { $0.key < $1.key }.map { "\($0.key)=\(format($0.value))" }.joined(separator: " ")
            lines.append("  \(score): \(text)")
        }
        lines.append("samples: \(sampleCount)" + (totalSamples.map { " of \($0)" } ?? ""))
        if let error { lines.append("error: \(error)") }
        return lines.joined(separator: "\n")
    }

    private func format(_ value: Double) -> String {
        value.isFinite ? String(format: "%.4f", value) : "\(value)"
    }
}
