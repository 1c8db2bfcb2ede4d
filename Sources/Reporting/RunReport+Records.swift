public import AgentCore
import DataEngine
import Evaluation
public import Foundation
public import Interfaces
import TrainingBackends

extension RunReport {
    /// The report of the run in `runDirectory`, from its `run.json`, `events.jsonl` and evaluation reports.
    /// - Throws: when the folder is not a run (no `run.json`) or its events cannot be read.
    public static func load(runDirectory: URL, now: Date = Date()) throws -> RunReport {
        let workspace = try Workspace.open(runDirectory)
        let contents = try JSONLExperimentStore.read(fileURL: workspace.eventsFile)
        return RunReport(
            manifest: try? workspace.readManifest(), records: contents.records, workspace: workspace, now: now)
    }

    /// Builds the report from a run's records (in order), reading the evaluation reports they point to when the
    /// files are there.
    /// - Parameters:
    ///   - manifest: the run's `run.json` (task and budget); without it the headline says less.
    ///   - records: the run's records, oldest first.
    ///   - workspace: the run folder, where report paths resolve.
    ///   - now: the time a run in progress is shown at.
    public init(manifest: RunManifest?, records: [ExperimentRecord], workspace: Workspace, now: Date = Date()) {
        var state = RunState(workspace: workspace)
        let start = records.first?.time ?? manifest?.createdAt ?? now
        func offset(_ record: ExperimentRecord) -> Double { max(0, record.time.timeIntervalSince(start)) }

        // Scores, with the registry's decisions tied to them by the evaluation's sequence number.
        var reported: [(record: ExperimentRecord, report: EvalReported)] = []
        var baselines: [Int: BaselineEvaluated] = [:]
        var decisions: [Int: CandidateEvaluated] = [:]
        var registered: [CheckpointRegistered] = []
        var promoted: Set<String> = []
        var losses: [String: LossCurve] = [:]
        var jobOrder: [String] = []
        var budget = BudgetBurn(samples: [], elapsed: 0, training: 0, evaluation: 0, tokens: 0, usd: 0, gpuHours: 0)
        var data: [String: DataRow] = [:]
        var dataOrder: [String] = []
        var events: [Event] = []
        var stopped: RunStopped?
        for record in records {
            state.apply(record)
            if [BudgetRecorded.kind, TrainFinished.kind, EvalReported.kind, RunStopped.kind].contains(record.kind),
                budget.samples.last?.elapsed != state.budget.elapsedSeconds
            {
                budget.samples.append(
                    BudgetBurn.Sample(
                        secondsFromStart: offset(record), elapsed: state.budget.elapsedSeconds,
                        training: state.budget.trainingSeconds, evaluation: state.budget.evaluationSeconds))
            }
            if let report = record.decode(EvalReported.self) { reported.append((record, report)) }
            if let baseline = record.decode(BaselineEvaluated.self) { baselines[baseline.evalSequence] = baseline }
            if let decision = record.decode(CandidateEvaluated.self) {
                decisions[decision.evalSequence] = decision
                if decision.promoted { promoted.insert(decision.candidateID) }
                events.append(
                    Event(
                        secondsFromStart: offset(record), kind: .decision,
                        title: "\(decision.promoted ? "Promoted" : "Not promoted") \(decision.candidateID)",
                        detail: decision.reason))
            }
            if let checkpoint = record.decode(CheckpointRegistered.self) { registered.append(checkpoint) }
            if let started = record.decode(TrainStarted.self) {
                let steps = started.job.hyperparameters["max_steps"]?.intValue ?? 0
                losses[started.job.id] = LossCurve(
                    jobID: started.job.id, iteration: started.iteration, totalSteps: steps, points: [],
                    outcome: "running", wallSeconds: nil)
                jobOrder.append(started.job.id)
            }
            if let step = record.decode(TrainProgressed.self) {
                if losses[step.jobID] == nil {
                    losses[step.jobID] = LossCurve(
                        jobID: step.jobID, iteration: step.iteration, totalSteps: step.totalSteps, points: [],
                        outcome: "running", wallSeconds: nil)
                    jobOrder.append(step.jobID)
                }
                losses[step.jobID]?.totalSteps = step.totalSteps
                losses[step.jobID]?.points.append(
                    LossCurve.Point(
                        step: step.step, loss: step.loss, learningRate: step.learningRate,
                        secondsFromStart: offset(record)))
            }
            if let finished = record.decode(TrainFinished.self) {
                losses[finished.jobID]?.outcome = "finished"
                losses[finished.jobID]?.wallSeconds = finished.wallSeconds
            }
            if let failed = record.decode(TrainFailed.self) {
                losses[failed.jobID]?.outcome = "failed: \(failed.error)"
                events.append(
                    Event(
                        secondsFromStart: offset(record), kind: .failure, title: "Training \(failed.jobID) failed",
                        detail: failed.error))
            }
            if let failed = record.decode(EvalFailed.self) {
                events.append(
                    Event(
                        secondsFromStart: offset(record), kind: .failure, title: "Evaluation '\(failed.label)' failed",
                        detail: failed.error))
            }
            if let refused = record.decode(RegistrationRefused.self) {
                events.append(
                    Event(
                        secondsFromStart: offset(record), kind: .failure,
                        title: "Checkpoint \(refused.jobID) not registered", detail: refused.error))
            }
            if let built = record.decode(DataBuilt.self) {
                let key = "\(built.iteration)/\(built.dataset)"
                if data[key] == nil { dataOrder.append(key) }
                data[key] = DataRow(
                    iteration: built.iteration, dataset: built.dataset, rows: built.rows, skipped: built.skipped,
                    format: nil, verdict: nil, reasons: [], contaminationHits: nil)
            }
            if let validated = record.decode(DataValidated.self) {
                let key = "\(validated.iteration)/\(validated.dataset)"
                if data[key] == nil {
                    dataOrder.append(key)
                    data[key] = DataRow(
                        iteration: validated.iteration, dataset: validated.dataset, rows: validated.samples,
                        skipped: 0, format: nil, verdict: nil, reasons: [], contaminationHits: nil)
                }
                data[key]?.verdict = validated.verdict
                data[key]?.reasons = validated.reasons
                data[key]?.contaminationHits = validated.contamination
                data[key]?.format = validated.approval?.format?.rawValue
            }
            if let stage = record.decode(StageEntered.self) {
                events.append(
                    Event(secondsFromStart: offset(record), kind: .stage, title: "Stage '\(stage.stage)'", detail: ""))
            }
            if let denied = record.decode(CallDenied.self) {
                events.append(
                    Event(
                        secondsFromStart: offset(record), kind: .denial,
                        title: "Denied \(denied.tool) (rule: \(denied.rule))", detail: denied.reason))
            }
            if let tampered = record.decode(TamperingFound.self) {
                events.append(
                    Event(
                        secondsFromStart: offset(record), kind: .failure, title: "Tampering found",
                        detail: tampered.findings.joined(separator: "; ")))
            }
            if let moved = record.decode(DeadlineMoved.self) {
                events.append(
                    Event(
                        secondsFromStart: offset(record), kind: .failure, title: "Deadline moved earlier",
                        detail: "\(moved.source); the run's deadline is now \(moved.deadline.formatted(.iso8601))"))
            }
            if let submitted = record.decode(SubmissionChecked.self) {
                let fine = submitted.loaded && submitted.identityMismatches.isEmpty
                events.append(
                    Event(
                        secondsFromStart: offset(record), kind: fine ? .end : .failure,
                        title: "Submission '\(submitted.best)' \(fine ? "loads and matches the base model" : "FAILS its checks")",
                        detail: ([submitted.destination, submitted.detail] + submitted.identityMismatches)
                            .joined(separator: "; ")))
            }
            if let stop = record.decode(RunStopped.self) {
                stopped = stop
                events.append(
                    Event(
                        secondsFromStart: offset(record), kind: .end, title: "Run stopped: \(stop.reason)",
                        detail: "final_model/ holds '\(stop.best)'"
                            + (stop.finalModelValid ? "" : " (NOT loadable)")))
            }
        }

        (budget.elapsed, budget.training, budget.evaluation) = (
            state.budget.elapsedSeconds, state.budget.trainingSeconds, state.budget.evaluationSeconds
        )
        (budget.tokens, budget.usd, budget.gpuHours) = (state.budget.tokens, state.budget.usd, state.budget.gpuHours)

        var scores: [ScorePoint] = []
        var best = -Double.infinity
        for (record, report) in reported {
            let interval = Self.interval(score: report.score, stderr: report.stderr)
            var point = ScorePoint(
                sequence: record.sequence, iteration: report.iteration, label: report.label, candidate: nil,
                score: report.score, low: interval.low, high: interval.high, sampleCount: report.sampleCount,
                decision: .unjudged, reason: nil, runningBest: best, secondsFromStart: offset(record))
            if baselines[record.sequence] != nil {
                point.decision = .baseline
                point.candidate = "base"
                if best == -.infinity { best = report.score }
            } else if let decision = decisions[record.sequence] {
                point.candidate = decision.candidateID
                point.reason = decision.reason
                if decision.promoted {
                    point.decision = .keep
                    best = report.score
                } else if decision.reason.contains("already the submission") {
                    point.decision = .unjudged
                } else {
                    point.decision = report.score > best ? .inconclusive : .discard
                }
            }
            point.runningBest = best == -.infinity ? report.score : best
            scores.append(point)
        }

        let baselinePoint = scores.first { $0.decision == .baseline }
        let submission = stopped?.best ?? state.checkpoints.last(where: { promoted.contains($0.id) })?.id ?? "base"
        let bestPoint = scores.last { $0.decision == .keep } ?? baselinePoint
        let spec = manifest?.config["spec"]
        headline = Headline(
            task: manifest?.task.name ?? workspace.root.lastPathComponent,
            description: spec?["description"]?.stringValue ?? "",
            baseModel: manifest?.task.baseModel ?? "",
            benchmark: manifest?.task.benchmark ?? "",
            metric: reported.first?.report.metric ?? "",
            budgetSeconds: manifest?.budget.totalSeconds, reserveSeconds: manifest?.budget.reserveSeconds,
            stage: state.stage, iteration: state.iteration, stopReason: stopped?.reason ?? state.stopReason,
            baseline: baselinePoint, best: bestPoint, submission: submission,
            submissionReason: state.lastPromotionReason
                ?? (submission == "base" ? "no candidate was promoted: the base model is the submission" : ""),
            finalModelValid: stopped?.finalModelValid, runDirectory: workspace.root.path,
            recordCount: records.count)

        var lineage = [Candidate(id: "base", parent: nil, iteration: 0, score: baselinePoint?.score, promoted: true)]
        for checkpoint in registered where !lineage.contains(where: { $0.id == checkpoint.id }) {
            let evaluated = scores.last { $0.candidate == checkpoint.id }
            lineage.append(
                Candidate(
                    id: checkpoint.id, parent: checkpoint.parent ?? "base", iteration: checkpoint.iteration,
                    score: evaluated?.score ?? checkpoint.score, promoted: promoted.contains(checkpoint.id)))
        }

        generatedAt = now
        self.scores = scores
        self.losses = jobOrder.compactMap { losses[$0] }
        self.budget = budget
        self.lineage = lineage
        self.data = dataOrder.compactMap { key -> DataRow? in
            guard var row = data[key] else { return nil }
            let file = workspace.iteration(row.iteration).data.appendingPathComponent("\(row.dataset).json")
            if let manifest = DatasetManifest.load(for: file) {
                row.manifest = workspace.relativePath(of: DatasetManifest.file(for: file))
                row.provenance = manifest.summary.split(separator: "\n").map(String.init)
            }
            return row
        }
        self.events = events
        evaluations = Self.details(reported.map(\.report), baseline: baselinePoint?.label, workspace: workspace)
    }

    /// A 95% normal interval around `score`, kept inside [0, 1] for a fraction.
    static func interval(score: Double, stderr: Double?) -> (low: Double, high: Double) {
        let half = 1.96 * (stderr ?? 0)
        guard (0...1).contains(score) else { return (score - half, score + half) }
        return (max(0, score - half), min(1, score + half))
    }

    /// Each evaluation's sampled answers and triage, and the items whose score changed against the baseline.
    static func details(_ reports: [EvalReported], baseline: String?, workspace: Workspace) -> [EvaluationDetail] {
        func load(_ report: EvalReported) -> EvaluationReport? {
            let url = workspace.root.appendingPathComponent(report.reportPath)
            guard let data = try? Data(contentsOf: url) else { return nil }
            return try? JSONDecoder().decode(EvaluationReport.self, from: data)
        }
        let base = reports.first { $0.label == baseline }.flatMap(load)
        let baseSamples = Dictionary((base?.samples ?? []).map { ($0.id, $0) }, uniquingKeysWith: { first, _ in first })
        return reports.compactMap { reported in
            guard let full = load(reported) else { return nil }
            let summary = EvaluationSummary(report: full)
            let changed: [EvaluationDetail.Change] =
                reported.label == baseline
                ? []
                : full.samples.compactMap { sample in
                    guard let before = baseSamples[sample.id], before.score != sample.score else { return nil }
                    return EvaluationDetail.Change(
                        id: sample.id, input: sample.input, target: sample.target, baseline: before.output,
                        candidate: sample.output, baselineScore: before.score, candidateScore: sample.score)
                }
            var triage: [String: Int] = [:]
            for (mode, count) in summary.triage { triage[mode.rawValue] = count }
            return EvaluationDetail(
                label: reported.label, iteration: reported.iteration, score: reported.score,
                sampleCount: reported.sampleCount, triage: triage,
                picked: summary.picked.map {
                    EvaluationDetail.Sample(id: $0.id, input: $0.input, target: $0.target, output: $0.output, score: $0.score)
                },
                changed: changed)
        }
    }
}
