public import AgentCore
import Evaluation
import Foundation

/// `eval`: evaluates a model with the configured evaluator, saves the raw report and a 15-sample summary, and
/// compares against an earlier evaluation only when both meet the sample floor.
public struct EvalTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        /// The iteration number (0 for the baseline).
        public var iteration: Int
        /// `"base"`, a checkpoint id, or a model folder inside the run.
        public var model: String?
        /// Several candidates evaluated together (one iteration's parallel candidates): each gets the label
        /// `<label>-<model>` (just the model id when it starts with the label), and their promotion is decided
        /// jointly, at most one, with Holm's correction for the multiple comparisons.
        public var models: [String]?
        /// A name for the evaluation.
        public var label: String
        /// At most this many rows (`build`) or samples (`eval`).
        public var limit: Int?
        /// The label of an earlier evaluation to compare with.
        public var compareWith: String?
    }

    /// The run, store and services the tool acts on.
    public let environment: InterfaceEnvironment

    public init(environment: InterfaceEnvironment) { self.environment = environment }

    public var name: String { "eval" }
    public var description: String {
        "Evaluate a model ('base', a checkpoint id, or a folder in the run) on the task's benchmark. Saves the report "
            + "and a summary of 15 samples with a failure triage. compareWith needs both runs at the sample floor. "
            + "models evaluates several candidates of one iteration together: at most one of them is promoted, "
            + "and only if it beats the submission after Holm's correction for the number of candidates."
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "iteration": .integer(description: "0 for the baseline, else the current iteration", minimum: 0),
                "model": .string(description: "'base', a checkpoint id, or a model folder inside the run"),
                "models": .array(
                    of: .string(),
                    description: "Instead of model: several candidate ids evaluated together (labels <label>-<id>); "
                        + "promotion decided jointly with Holm's correction"),
                "label": .string(description: "A name for this evaluation ([a-z0-9_-]), e.g. 'baseline', 'iter1-job1'"),
                "limit": .integer(description: "Evaluate at most this many samples", minimum: 1),
                "compareWith": .string(description: "Label of an earlier evaluation to compare with"),
            ],
            required: ["iteration", "label"])
    }

    /// The fewest samples an evaluation needs before it may be compared: max(32, 5% of the benchmark).
    public var sampleFloor: Int { environment.task.sampleFloor }

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        guard arguments.iteration >= 0 else { return .error("iteration must be 0 (baseline) or more.") }
        guard !arguments.label.isEmpty,
            arguments.label.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") })
        else { return .error("label must be lowercase letters, digits, '_' or '-'.") }
        if let limit = arguments.limit, arguments.compareWith != nil, limit < sampleFloor {
            return .error(
                "limit \(limit) is below the sample floor of \(sampleFloor) that a comparison needs: "
                    + "raise limit to at least \(sampleFloor) or drop compareWith.")
        }
        let archive = EvaluationArchive(environment: environment)
        var previous: EvaluationReport?
        if let other = arguments.compareWith {
            guard let report = try await archive.report(label: other) else {
                return .error("No evaluation labelled '\(other)'; known: \(try await archive.knownLabels()).")
            }
            guard report.sampleCount >= sampleFloor else {
                return .error(
                    "'\(other)' scored only \(report.sampleCount) samples, below the floor of \(sampleFloor): "
                        + "evaluate it again with more samples before comparing.")
            }
            previous = report
        }
        switch (arguments.model, arguments.models) {
        case (let model?, nil):
            let outcome = try await evaluate(model, label: arguments.label, arguments: arguments, previous: previous)
            if let record = outcome.record { try await environment.store.append(record) }
            return outcome.record == nil ? .error(outcome.text) : ToolOutput(outcome.text)
        case (nil, let models?) where !models.isEmpty:
            guard Set(models).count == models.count else { return .error("models names a candidate twice.") }
            guard !models.contains("base") else {
                return .error("models takes candidates to compare with the submission; evaluate 'base' on its own.")
            }
            var records: [EvalReported] = []
            var texts: [String] = []
            for model in models {
                let label = model.hasPrefix(arguments.label) ? model : "\(arguments.label)-\(model)"
                let outcome = try await evaluate(model, label: label, arguments: arguments, previous: previous)
                texts.append(outcome.text)
                if let record = outcome.record { records.append(record) }
            }
            // Recorded together, so that the runner decides the group's promotion once, over every report.
            let group = records.count > 1 ? records.map(\.modelPath) : nil
            for var record in records {
                record.group = group
                try await environment.store.append(record)
            }
            if records.count > 1 {
                texts.append(
                    "These \(records.count) candidates are compared with the submission together: at most one is "
                        + "promoted, with Holm's correction for \(records.count) comparisons (see the status line).")
            }
            let text = texts.joined(separator: "\n\n")
            return records.isEmpty ? .error(text) : ToolOutput(text)
        default:
            return .error("Give model (one) or models (several candidates), not both or neither.")
        }
    }

    /// Evaluates one model and saves its reports; the record is returned, not appended, so that a group's records
    /// are appended together.
    /// - Returns: the record (`nil` when the evaluation failed; its failure is recorded) and the text for the agent.
    private func evaluate(
        _ model: String, label: String, arguments: Arguments, previous: EvaluationReport?
    ) async throws -> (record: EvalReported?, text: String) {
        let modelPath: String
        switch resolveModel(model) {
        case .success(let path): modelPath = path
        case .failure(let refusal): return (nil, refusal.description)
        }

        let target = EvaluationTarget(
            modelPath: modelPath, label: label, limit: arguments.limit, deadline: environment.deadline)
        let report: EvaluationReport
        do {
            report = try await environment.evaluator.evaluate(target)
        } catch is CancellationError {
            throw CancellationError()
        } catch let error as any AgentStoppingError {
            throw error
        } catch {
            let message = Secrets.redactEnvironmentSecrets("\(error)")
            try await environment.store.append(
                EvalFailed(iteration: arguments.iteration, label: label, error: message))
            return (nil, "Evaluation \(label) failed: \(message)")
        }
        let paths = try environment.workspace.prepareIteration(arguments.iteration)
        // The full report (with the benchmark's answers) goes where the agent cannot read it; the agent's copy and
        // summary show its model's answers and whether each was right, never the answers themselves.
        let reportURL = environment.workspace.evaluationReport(iteration: arguments.iteration, label: label)
        let readableURL = paths.eval.appendingPathComponent("\(label).json")
        let summaryURL = paths.eval.appendingPathComponent("\(label)-summary.md")
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        try FileManager.default.createDirectory(
            at: reportURL.deletingLastPathComponent(), withIntermediateDirectories: true)
        try encoder.encode(report).write(to: reportURL, options: .atomic)
        try encoder.encode(Self.withoutTargets(report)).write(to: readableURL, options: .atomic)
        let summary = EvaluationSummary(report: report, count: 15, seed: Self.seed(label))
        try Data(summary.markdown(showTargets: false).utf8).write(to: summaryURL, options: .atomic)

        let comparable = report.sampleCount >= sampleFloor
        let workspace = environment.workspace
        let record = EvalReported(
            iteration: arguments.iteration, label: label, metric: report.metric, score: report.score,
            stderr: report.stderr, sampleCount: report.sampleCount, comparable: comparable,
            modelPath: workspace.relativePath(of: URL(fileURLWithPath: modelPath)),
            reportPath: workspace.relativePath(of: reportURL), durationSeconds: report.durationSeconds)

        var lines = [
            "\(label): \(report.metric) \(Self.scoreText(report)) (n=\(report.sampleCount); floor "
                + "\(sampleFloor): \(comparable ? "comparable" : "NOT comparable, smoke test only"))"
        ]
        let triage = FailureMode.allCases.compactMap { mode in
            summary.triage[mode].map { "\(mode.rawValue) \($0)" }
        }
        if !triage.isEmpty { lines.append("Wrong answers: \(triage.joined(separator: ", ")).") }
        if let previous {
            lines.append(
                comparable
                    ? Self.comparison(report, previous)
                    : "Comparison with \(previous.label) refused: \(report.sampleCount) samples < floor \(sampleFloor)."
            )
        }
        lines.append(
            "Saved \(workspace.relativePath(of: readableURL)) (every sample's answer and score; the benchmark's "
                + "answers are kept out) and \(workspace.relativePath(of: summaryURL)) (15 samples with why each wrong "
                + "one failed).")
        return (record, lines.joined(separator: "\n"))
    }

    /// `report` as the agent may read it: each sample without its `target`.
    static func withoutTargets(_ report: EvaluationReport) throws -> JSONValue {
        guard case .object(var object) = try JSONValue(encoding: report) else { return .null }
        object["samples"] = .array(
            (object["samples"]?.arrayValue ?? []).map { sample in
                guard case .object(var fields) = sample else { return sample }
                fields["target"] = nil
                return .object(fields)
            })
        object["targets"] = "not shown: the benchmark's answers are kept out of what the agent reads"
        return .object(object)
    }

    private func resolveModel(_ model: String) -> Result<String, ToolRefusal> {
        if model == "base" { return .success(environment.task.baseModel) }
        let workspace = environment.workspace
        if !model.contains("/"), FileManager.default.fileExists(atPath: workspace.checkpointDirectory(model).path) {
            return .success(workspace.checkpointDirectory(model).path)
        }
        guard let url = try? environment.jail.resolve(model), FileManager.default.fileExists(atPath: url.path) else {
            return .failure(
                ToolRefusal("No model '\(model)': use 'base', a checkpoint id, or a model folder in the run."))
        }
        return .success(url.path)
    }

    private static func scoreText(_ report: EvaluationReport) -> String {
        guard let stderr = report.stderr else { return String(format: "%.3f", report.score) }
        return String(
            format: "%.3f ± %.3f (95%% CI [%.3f, %.3f])", report.score, 1.96 * stderr,
            report.score - 1.96 * stderr, report.score + 1.96 * stderr)
    }

    /// A paired comparison on the samples both reports share: mean difference with a normal 95% interval,
    /// and how many samples flipped each way.
    static func comparison(_ current: EvaluationReport, _ previous: EvaluationReport) -> String {
        let before = Dictionary(previous.samples.map { ($0.id, $0.score) }, uniquingKeysWith: { first, _ in first })
        let pairs = current.samples.compactMap { sample in before[sample.id].map { (sample.score, $0) } }
        guard pairs.count >= 2 else {
            let delta = current.score - previous.score
            return "vs \(previous.label): " + String(format: "%+.3f", delta) + " (no shared sample ids: unpaired)"
        }
        let differences = pairs.map { $0.0 - $0.1 }
        let mean = differences.reduce(0, +) / Double(differences.count)
        let variance = differences.map { ($0 - mean) * ($0 - mean) }.reduce(0, +) / Double(differences.count - 1)
        let halfWidth = 1.96 * (variance / Double(differences.count)).squareRoot()
        let improved = pairs.filter { $0.0 > $0.1 }.count
        let regressed = pairs.filter { $0.0 < $0.1 }.count
        return "vs \(previous.label) on \(pairs.count) shared samples: "
            + String(format: "%+.3f (95%% CI [%+.3f, %+.3f])", mean, mean - halfWidth, mean + halfWidth)
            + "; \(improved) improved, \(regressed) regressed"
    }

    private static func seed(_ label: String) -> UInt64 {
        label.utf8.reduce(UInt64(0xcbf2_9ce4_8422_2325)) { ($0 ^ UInt64($1)) &* 0x0000_0100_0000_01B3 }
    }
}
