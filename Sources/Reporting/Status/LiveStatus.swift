import AgentCore
public import Foundation

/// Where a run stands right now, for a person watching it: the stage and iteration, the training job in flight
/// with its progress and an ETA from the measured step rate, the budget, the best score and the last decision.
/// `autotrainess status --watch` draws it in the terminal; `status --json` carries the same fields.
public struct LiveStatus: Sendable, Hashable, Codable {
    /// A training job that has started and not ended.
    public struct Job: Sendable, Hashable, Codable {
        public var jobID: String
        public var iteration: Int
        public var step: Int
        public var totalSteps: Int
        public var loss: Double?
        /// Steps per minute over the logged steps; `nil` before two steps are logged.
        public var stepsPerMinute: Double?
        /// Seconds left at that rate.
        public var etaSeconds: Double?
    }

    public var task: String
    public var stage: String?
    public var iteration: Int
    public var finished: Bool
    public var stopReason: String?
    public var job: Job?
    public var elapsedSeconds: Double
    public var budgetSeconds: Double?
    public var reserveSeconds: Double?
    public var baseline: Double?
    public var best: Double?
    public var submission: String
    /// The last promotion decision, denial or failure, with its reason.
    public var lastEvent: String?

    /// The status shown by `report`.
    public init(_ report: RunReport) {
        let head = report.headline
        task = head.task
        stage = head.stage
        iteration = head.iteration
        finished = report.finished
        stopReason = head.stopReason
        elapsedSeconds = report.budget.elapsed
        budgetSeconds = head.budgetSeconds
        reserveSeconds = head.reserveSeconds
        baseline = head.baseline?.score
        best = head.best?.score
        submission = head.submission
        lastEvent = report.events.last { $0.kind != .stage }.map { "\($0.title): \($0.detail)" }
        if !report.finished, let curve = report.losses.last, curve.outcome == "running" {
            let points = curve.points
            var rate: Double?
            if let first = points.first, let last = points.last, last.step > first.step,
                last.secondsFromStart > first.secondsFromStart
            {
                rate = Double(last.step - first.step) / (last.secondsFromStart - first.secondsFromStart) * 60
            }
            let step = points.last?.step ?? 0
            job = Job(
                jobID: curve.jobID, iteration: curve.iteration, step: step, totalSteps: curve.totalSteps,
                loss: points.last?.loss, stepsPerMinute: rate,
                etaSeconds: rate.map { Double(max(0, curve.totalSteps - step)) / $0 * 60 })
        }
    }

    /// The status as terminal lines, bars `width` characters wide.
    public func lines(width: Int = 30) -> [String] {
        var lines = ["AutoTrainess · \(task)"]
        lines.append(
            finished
                ? "Stopped: \(stopReason ?? "")"
                : "Stage: \(stage ?? "not started") · iteration \(iteration)")
        if let job {
            var line = "Training \(job.jobID): \(Self.bar(Double(job.step), of: Double(job.totalSteps), width: width)) "
                + "step \(job.step)/\(job.totalSteps)"
            if let loss = job.loss { line += String(format: " · loss %.4f", loss) }
            if let eta = job.etaSeconds, let rate = job.stepsPerMinute {
                line += String(format: " · %.1f steps/min · ETA ", rate) + DurationText.format(eta)
            }
            lines.append(line)
        }
        if let total = budgetSeconds {
            var line = "Budget: \(Self.bar(elapsedSeconds, of: total, width: width)) "
                + "\(DurationText.format(elapsedSeconds)) of \(DurationText.format(total))"
            if let reserve = reserveSeconds, reserve > 0 { line += " (\(DurationText.format(reserve)) reserve)" }
            lines.append(line)
        } else {
            lines.append("Budget: \(DurationText.format(elapsedSeconds)) spent")
        }
        let scores = [baseline.map { String(format: "baseline %.3f", $0) }, best.map { String(format: "best %.3f", $0) }]
            .compactMap { $0 }
        lines.append("Submission: \(submission)" + (scores.isEmpty ? "" : " · " + scores.joined(separator: " → ")))
        if let lastEvent { lines.append("Last: \(lastEvent.count > 300 ? String(lastEvent.prefix(300)) + "…" : lastEvent)") }
        return lines
    }

    /// `[#######-------] 50%`.
    static func bar(_ value: Double, of total: Double, width: Int) -> String {
        let fraction = total > 0 ? min(1, max(0, value / total)) : 0
        let filled = Int((fraction * Double(width)).rounded())
        return "[" + String(repeating: "#", count: filled) + String(repeating: "-", count: width - filled) + "]"
            + String(format: " %3.0f%%", fraction * 100)
    }
}
