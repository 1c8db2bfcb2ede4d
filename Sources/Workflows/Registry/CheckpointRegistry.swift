import AgentCore
public import Evaluation
public import Foundation
import Interfaces

/// Every model the run may submit, with lineage and evaluations, and the promotion of the best one to
/// `final_model/`.
///
/// Persisted as `checkpoints/registry.json` in the run directory (each write goes to a temporary file renamed over
/// the old one). Before any promotion `final_model/` holds a copy of the base model, so the run always has a valid,
/// loadable submission; the base model's baseline report is the first "best". ``promote(_:benchmark:)`` replaces
/// `final_model/` only when the candidate beats the current best by more than noise (the lower bound of a paired
/// bootstrap interval above zero), so a run never ends with a submission worse than the base on the dev evaluation.
///
/// Replacement is crash-safe: the candidate is copied beside `final_model/` as `.final_model.incoming`, the registry
/// notes the pending promotion, `final_model/` is renamed to `.final_model.previous`, the copy is renamed to
/// `final_model/`, and the previous folder is removed. Opening the registry finishes or rolls back a promotion that a
/// crash interrupted, so `final_model/` is always one whole model.
public actor CheckpointRegistry {
    /// The id of the base model's entry.
    public static let baseCandidateID = "base"

    static let incomingName = ".final_model.incoming"
    static let previousName = ".final_model.previous"

    /// The run directory.
    public nonisolated let runDirectory: URL
    /// Resamples used by promotion comparisons.
    public nonisolated let resamples: Int
    /// Seed used by promotion comparisons.
    public nonisolated let seed: UInt64
    private var file: RegistryFile

    /// The folder of the current submission.
    public nonisolated var finalModelURL: URL { runDirectory.appendingPathComponent("final_model") }
    /// The registry file.
    public nonisolated var registryURL: URL { Self.registryURL(in: runDirectory) }

    /// Opens the registry of `runDirectory`, creating it (and `final_model/` as a copy of the base model) when
    /// missing, and finishing or rolling back a promotion interrupted by a crash.
    /// - Parameters:
    ///   - runDirectory: the run's folder.
    ///   - baseModel: the task's base model folder (must be loadable).
    ///   - resamples: bootstrap resamples for promotion comparisons.
    ///   - seed: bootstrap seed for promotion comparisons.
    /// - Throws: ``RegistryError`` when the base model is not loadable, the registry names another base model, or a
    ///   file operation fails.
    public init(runDirectory: URL, baseModel: URL, resamples: Int = 2000, seed: UInt64 = 0) throws {
        self.runDirectory = runDirectory
        self.resamples = resamples
        self.seed = seed
        let basePath = baseModel.standardizedFileURL.path
        let registryURL = Self.registryURL(in: runDirectory)
        let created = !FileManager.default.fileExists(atPath: registryURL.path)
        if !created {
            file = try Self.read(registryURL)
            guard file.baseModel == basePath else {
                throw RegistryError.foreignBaseModel(expected: file.baseModel, found: basePath)
            }
        } else {
            try ModelFolder.validate(baseModel)
            let base = Candidate(
                id: Self.baseCandidateID, modelPath: basePath,
                lineage: CheckpointLineage(parent: nil, baseModel: basePath, datasets: [], configHash: ""))
            file = RegistryFile(baseModel: basePath, candidates: [base], bestID: Self.baseCandidateID)
        }
        let copiesBase =
            created && !FileManager.default.fileExists(atPath: runDirectory.appendingPathComponent("final_model").path)
        try Self.recover(&file, in: runDirectory)
        if created {
            // A new `final_model/` is a copy of the base model: the same files, hashed once.
            file.candidates[0].digest =
                copiesBase ? file.finalModel?.combined : (try? ModelDigest(of: baseModel).combined)
        }
        try Self.write(file, to: registryURL)
    }

    /// Every candidate, the base model first.
    public var candidates: [Candidate] { file.candidates }

    /// The candidate `final_model/` holds.
    public var best: Candidate { file.candidates.first { $0.id == file.bestID }! }

    /// Every promotion decision so far, oldest first.
    public var decisions: [PromotionDecision] { file.decisions }

    /// The candidate with `id`, if registered.
    public func candidate(_ id: String) -> Candidate? { file.candidates.first { $0.id == id } }

    /// Whether training may start from `modelPath`: the base model or a registered candidate's folder.
    public func allowsTraining(from modelPath: String) -> Bool { candidate(atPath: modelPath) != nil }

    /// The candidate whose model folder is `modelPath`, if any.
    public func candidate(atPath modelPath: String) -> Candidate? {
        let path = URL(fileURLWithPath: modelPath).standardizedFileURL.path
        return file.candidates.first { $0.modelPath == path }
    }

    /// Registers a trained checkpoint.
    /// - Parameters:
    ///   - id: a new unique id.
    ///   - modelPath: its loadable model folder.
    ///   - parent: the candidate it was trained from (the base model or a registered descendant).
    ///   - datasets: the datasets it was trained on.
    ///   - configHash: a hash of its training configuration.
    ///   - step: the step of its job it was saved at, for a checkpoint saved before the job's last step.
    /// - Returns: the registered candidate.
    /// - Throws: ``RegistryError`` when the id is taken, the parent is not registered, or the write fails.
    @discardableResult
    public func register(
        id: String, modelPath: String, parent: String, datasets: [String], configHash: String, step: Int? = nil
    ) throws -> Candidate {
        guard candidate(id) == nil else { throw RegistryError.duplicateCandidate(id) }
        guard candidate(parent) != nil else { throw RegistryError.lineageViolation(parent: parent) }
        var candidate = Candidate(
            id: id, modelPath: URL(fileURLWithPath: modelPath).standardizedFileURL.path,
            lineage: CheckpointLineage(
                parent: parent, baseModel: file.baseModel, datasets: datasets,
                configHash: configHash, step: step))
        candidate.digest = try? ModelDigest(of: URL(fileURLWithPath: modelPath)).combined
        file.candidates.append(candidate)
        try persist()
        return candidate
    }

    /// Attaches an evaluation report to a candidate (the base model's first report is the baseline).
    /// - Throws: ``RegistryError/unknownCandidate(_:)`` or a write failure.
    public func attach(_ report: EvaluationReport, to id: String) throws {
        guard let index = file.candidates.firstIndex(where: { $0.id == id }) else {
            throw RegistryError.unknownCandidate(id)
        }
        file.candidates[index].reports.append(report)
        try persist()
    }

    /// Compares a candidate with the current best and, when it is better by more than noise, makes it the
    /// submission by replacing `final_model/` atomically.
    /// - Parameters:
    ///   - id: the candidate.
    ///   - benchmark: the benchmark to compare on; `nil` for the candidate's latest report's benchmark.
    /// - Returns: the decision, also recorded in the registry. A noisy or negative difference is not promoted.
    /// - Throws: ``RegistryError`` when a report is missing, the candidate is not loadable, or copying fails
    ///   (`final_model/` is then unchanged); ``PairedBootstrap/ComparisonError`` when the reports cannot be paired.
    @discardableResult
    public func promote(_ id: String, benchmark: String? = nil) throws -> PromotionDecision {
        let (candidate, candidateReport) = try latestReport(of: id, on: benchmark)
        let current = best
        guard current.id != id else {
            return PromotionDecision(
                candidateID: id, comparedWith: id, promoted: false, comparison: nil,
                reason: "'\(id)' is already the submission.")
        }
        let comparison = try compare(candidateReport, with: current)
        guard comparison.isImprovement else {
            let decision = PromotionDecision(
                candidateID: id, comparedWith: current.id, promoted: false, comparison: comparison,
                reason: "Not promoted: '\(id)' − '\(current.id)' = \(comparison.summary); the 95% interval does not "
                    + "lie above zero, so the difference may be noise. final_model/ still holds '\(current.id)'.")
            file.decisions.append(decision)
            try persist()
            return decision
        }
        try ModelFolder.validate(URL(fileURLWithPath: candidate.modelPath))
        try replaceFinalModel(with: candidate)
        let decision = PromotionDecision(
            candidateID: id, comparedWith: current.id, promoted: true, comparison: comparison,
            reason: "Promoted: '\(id)' − '\(current.id)' = \(comparison.summary). final_model/ now holds '\(id)'.")
        file.decisions.append(decision)
        try persist()
        return decision
    }

    /// The one-sided level a single promotion is tested at: the 95% interval's lower bound above zero.
    public static let promotionLevel = 0.025

    /// Compares several candidates evaluated together (one iteration's parallel candidates) with the current best
    /// and promotes at most one, correcting for the multiple comparisons with Holm's method on the paired
    /// bootstraps' one-sided p-values: with k candidates, the smallest p must be at most 0.025 / k (Holm's first
    /// step; as at most one is promoted, the later steps decide nothing more), and its interval must lie above zero.
    /// Among several that pass, the one with the smallest p (then the larger gain) is promoted.
    /// - Returns: one decision per candidate, in the order given, each naming the correction.
    /// - Throws: as ``promote(_:benchmark:)``.
    @discardableResult
    public func promoteBest(of ids: [String], benchmark: String? = nil) throws -> [PromotionDecision] {
        guard ids.count > 1 else { return try ids.map { try promote($0, benchmark: benchmark) } }
        let current = best
        var comparisons: [(id: String, comparison: PairedBootstrap.Comparison)] = []
        for id in ids {
            comparisons.append((id, try compare(try latestReport(of: id, on: benchmark).report, with: current)))
        }
        let k = comparisons.count
        let ranked = comparisons.enumerated().sorted { left, right in
            let (l, r) = (left.element.comparison, right.element.comparison)
            return (l.pValue ?? 1, -l.meanDifference, left.offset) < (r.pValue ?? 1, -r.meanDifference, right.offset)
        }
        var reasons: [String: String] = [:]
        var winner: String?
        for (rank, entry) in ranked.enumerated() {
            let (id, comparison) = entry.element
            let threshold = Self.promotionLevel / Double(k - rank)
            let p = comparison.pValue ?? 1
            let holm = String(
                format: "Holm over %d candidates: p = %.4f, step %d needs p ≤ %.4f (%.3f / %d)", k, p, rank + 1,
                threshold, Self.promotionLevel, k - rank)
            let passes = rank == 0 && p <= threshold && comparison.isImprovement
            if passes { winner = id }
            let head = "'\(id)' − '\(current.id)' = \(comparison.summary); \(holm)"
            if passes {
                reasons[id] = "Promoted: \(head). final_model/ now holds '\(id)'."
            } else if rank > 0, winner != nil, p <= threshold, comparison.isImprovement {
                reasons[id] = "Not promoted: \(head); it also beats '\(current.id)', but at most one candidate of a "
                    + "group is promoted and '\(winner!)' came first."
            } else {
                reasons[id] = "Not promoted: \(head); the corrected test does not rule out noise. final_model/ still "
                    + "holds '\(winner ?? current.id)'."
            }
        }
        if let winner, let candidate = candidate(winner) {
            try ModelFolder.validate(URL(fileURLWithPath: candidate.modelPath))
            try replaceFinalModel(with: candidate)
        }
        let decisions = comparisons.map { id, comparison in
            PromotionDecision(
                candidateID: id, comparedWith: current.id, promoted: id == winner, comparison: comparison,
                reason: reasons[id] ?? "")
        }
        file.decisions += decisions
        try persist()
        return decisions
    }

    /// The candidate `id` and its latest report on `benchmark` (any benchmark when `nil`).
    private func latestReport(of id: String, on benchmark: String?) throws -> (candidate: Candidate, report: EvaluationReport) {
        guard let candidate = candidate(id) else { throw RegistryError.unknownCandidate(id) }
        guard let report = candidate.latestReport(on: benchmark) else {
            throw RegistryError.missingReport(candidate: id, benchmark: benchmark)
        }
        return (candidate, report)
    }

    /// `report` paired against `current`'s latest report on the same benchmark (candidate − current).
    private func compare(_ report: EvaluationReport, with current: Candidate) throws -> PairedBootstrap.Comparison {
        guard let bestReport = current.latestReport(on: report.benchmark) else {
            throw RegistryError.missingReport(candidate: current.id, benchmark: report.benchmark)
        }
        return try PairedBootstrap.compare(bestReport, report, resamples: resamples, seed: seed)
    }

    /// The candidate a tool argument names: its id (the base model is ``baseCandidateID``) or its model folder,
    /// absolute or relative to `root`.
    public func resolve(_ reference: String, relativeTo root: URL? = nil) -> Candidate? {
        if let byID = candidate(reference) { return byID }
        let url = root.map { Workspace(root: $0).resolve(reference) } ?? URL(fileURLWithPath: reference)
        return candidate(atPath: url.path)
    }

    /// A rule that denies the given tools when their string argument `argument` names a model that is neither the
    /// base model nor a registered descendant: the lineage rule for training, and "registered models only" for
    /// evaluation. The argument may be a candidate id (`"base"` for the base model) or a model folder, absolute or
    /// relative to `root`; calls without the argument are allowed (the tools then default to the base model). The
    /// plural (`models`) and each entry of `candidates` (`candidates[i].startFrom`) are checked the same way.
    public nonisolated func registeredModelRule(
        _ name: String = "registered models only", tools: Set<String>, argument: String, relativeTo root: URL? = nil
    ) -> Rule {
        Rule(name, tools: tools) { context in
            let references = [context.string(argument)].compactMap { $0 } + (context.strings(argument + "s") ?? [])
                + context.candidateValues(argument).compactMap(\.stringValue)
            for reference in references where await self.resolve(reference, relativeTo: root) == nil {
                return .deny(
                    reason: "'\(reference)' is neither the task's base model nor a registered checkpoint. Use "
                        + "\"\(Self.baseCandidateID)\" or the id of a candidate registered after an earlier train step."
                )
            }
            return .allow
        }
    }

    /// What changed in `final_model/` since the run last wrote it, read without opening (or repairing) the
    /// registry: for `autotrainess status`. Empty when nothing did or the registry has no digest yet.
    public static func inspect(runDirectory: URL) -> [String] {
        guard let file = try? read(registryURL(in: runDirectory)) else { return [] }
        return finalModelChanges(file, in: runDirectory)
    }

    /// What changed in `final_model/` and `checkpoints/registry.json` since the run itself last wrote them, one line
    /// per change; empty when nothing did.
    public func tampering() -> [String] {
        var findings = Self.finalModelChanges(file, in: runDirectory)
        if let onDisk = try? Data(contentsOf: registryURL), onDisk != (try? Self.encoded(file)) {
            findings.append("checkpoints/registry.json was changed outside the run")
        }
        return findings
    }

    /// The files of `final_model/` that differ from the digest `file` recorded when the run last wrote it.
    private static func finalModelChanges(_ file: RegistryFile, in runDirectory: URL) -> [String] {
        guard let recorded = file.finalModel else { return [] }
        guard let now = try? ModelDigest(of: runDirectory.appendingPathComponent("final_model")) else {
            return ["final_model/ cannot be read"]
        }
        return recorded.changes(to: now).map { "final_model/\($0)" }
    }

    /// Makes `final_model/` the submission the run decided again (the candidate `bestID` names, or the base model
    /// when that candidate's own folder changed since it was registered) and rewrites the registry from the run's
    /// state.
    /// - Parameter bestID: the submission the run's records name.
    /// - Returns: which candidate `final_model/` now holds.
    /// - Throws: ``RegistryError`` when copying fails.
    @discardableResult
    public func restore(bestID: String) throws -> String {
        var chosen = candidate(bestID) ?? candidate(Self.baseCandidateID)!
        if let recorded = chosen.digest,
            (try? ModelDigest(of: URL(fileURLWithPath: chosen.modelPath)).combined) != recorded
        {
            chosen = candidate(Self.baseCandidateID)!
        }
        file.bestID = chosen.id
        try replaceFinalModel(with: chosen)
        return chosen.id
    }

    private func replaceFinalModel(with candidate: Candidate) throws {
        let manager = FileManager.default
        let incoming = runDirectory.appendingPathComponent(Self.incomingName)
        let previous = runDirectory.appendingPathComponent(Self.previousName)
        try Self.fileOperation(incoming.path) {
            if manager.fileExists(atPath: incoming.path) { try manager.removeItem(at: incoming) }
            try manager.copyItem(at: URL(fileURLWithPath: candidate.modelPath), to: incoming)
            file.finalModel = try ModelDigest(of: incoming)
        }
        file.pendingPromotion = candidate.id
        do {
            try persist()
        } catch {
            file.pendingPromotion = nil
            try? manager.removeItem(at: incoming)
            throw error
        }
        do {
            try Self.fileOperation(finalModelURL.path) {
                try manager.moveItem(at: finalModelURL, to: previous)
                try manager.moveItem(at: incoming, to: finalModelURL)
            }
        } catch {
            try? Self.recover(&file, in: runDirectory)
            throw error
        }
        try Self.recover(&file, in: runDirectory)
    }

    /// Finishes or rolls back an interrupted promotion, and creates `final_model/` from the base model when it is
    /// missing.
    private static func recover(_ file: inout RegistryFile, in runDirectory: URL) throws {
        let manager = FileManager.default
        let finalModel = runDirectory.appendingPathComponent("final_model")
        let incoming = runDirectory.appendingPathComponent(incomingName)
        let previous = runDirectory.appendingPathComponent(previousName)
        let hasFinal = manager.fileExists(atPath: finalModel.path)
        let hasIncoming = manager.fileExists(atPath: incoming.path)
        let hasPrevious = manager.fileExists(atPath: previous.path)
        try fileOperation(runDirectory.path) {
            if let pending = file.pendingPromotion {
                if hasIncoming {
                    if !hasFinal, hasPrevious { try manager.moveItem(at: previous, to: finalModel) }
                    try manager.removeItem(at: incoming)
                } else if hasFinal {
                    file.bestID = pending
                } else if hasPrevious {
                    try manager.moveItem(at: previous, to: finalModel)
                }
                file.pendingPromotion = nil
            } else if hasIncoming {
                try manager.removeItem(at: incoming)
            }
            if manager.fileExists(atPath: previous.path), manager.fileExists(atPath: finalModel.path) {
                try manager.removeItem(at: previous)
            }
            if !manager.fileExists(atPath: finalModel.path) {
                let best = file.candidates.first { $0.id == file.bestID }!
                try manager.createDirectory(at: runDirectory, withIntermediateDirectories: true)
                try manager.copyItem(at: URL(fileURLWithPath: best.modelPath), to: incoming)
                try manager.moveItem(at: incoming, to: finalModel)
                file.finalModel = nil
            }
            // The state that later checks compare with: taken when final_model/ was written, or (for a registry
            // from before the digests) now.
            if file.finalModel == nil { file.finalModel = try ModelDigest(of: finalModel) }
        }
        try write(file, to: registryURL(in: runDirectory))
    }

    private func persist() throws { try Self.write(file, to: registryURL) }

    private static func registryURL(in runDirectory: URL) -> URL {
        runDirectory.appendingPathComponent("checkpoints").appendingPathComponent("registry.json")
    }

    private static func read(_ url: URL) throws -> RegistryFile {
        try fileOperation(url.path) {
            let decoder = JSONDecoder()
            decoder.dateDecodingStrategy = .iso8601
            return try decoder.decode(RegistryFile.self, from: Data(contentsOf: url))
        }
    }

    private static func write(_ file: RegistryFile, to url: URL) throws {
        try fileOperation(url.path) {
            try FileManager.default.createDirectory(
                at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
            try encoded(file).write(to: url, options: .atomic)
        }
    }

    /// The registry file's bytes (sorted keys: the same state always gives the same bytes).
    private static func encoded(_ file: RegistryFile) throws -> Data {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.dateEncodingStrategy = .iso8601
        return try encoder.encode(file)
    }

    private static func fileOperation<T>(_ path: String, _ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as RegistryError {
            throw error
        } catch {
            throw RegistryError.fileSystem(path: path, reason: "\(error)")
        }
    }
}

/// The contents of `checkpoints/registry.json`.
struct RegistryFile: Sendable, Hashable, Codable {
    var baseModel: String
    var candidates: [Candidate]
    var bestID: String
    var pendingPromotion: String?
    var decisions: [PromotionDecision] = []
    /// `final_model/` as the run last wrote it.
    var finalModel: ModelDigest?
}
