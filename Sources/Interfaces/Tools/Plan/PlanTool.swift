public import AgentCore
import Evaluation
import Foundation

/// `plan`: writes `iterations/<n>/plan.md` (targeted weakness, evidence, hypothesis, changes, success criterion).
///
/// A plan must rest on evidence that can be checked: at least one item must name a file in the run (e.g. a saved
/// evaluation report), a sample id of a saved evaluation, or an evaluated label. A plan with none is refused.
public struct PlanTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        /// The iteration number (0 for the baseline).
        public var iteration: Int
        /// What the last evaluation got wrong.
        public var weakness: String
        /// Checkable facts: report paths, sample ids, eval labels.
        public var evidence: [String]
        /// What the iteration tested.
        public var hypothesis: String
        /// What the iteration does differently.
        public var changes: [String]
        /// A measurable target with a number.
        public var successCriterion: String
    }

    /// The run, store and services the tool acts on.
    public let environment: InterfaceEnvironment

    public init(environment: InterfaceEnvironment) { self.environment = environment }

    public var name: String { "plan" }
    public var description: String {
        "Write the plan of an iteration before building data: the weakness the last evaluation showed, the evidence "
            + "(report paths, sample ids, eval labels), a hypothesis, the changes, and a measurable success criterion."
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "iteration": .integer(description: "The iteration this plan is for (last logged + 1)", minimum: 1),
                "weakness": .string(description: "What the last evaluation got wrong, in one or two sentences"),
                "evidence": .array(
                    of: .string(),
                    description: "Checkable facts: e.g. 'iterations/0/eval/baseline.json', 'sample gsm-12', "
                        + "'baseline accuracy 0.10'"),
                "hypothesis": .string(description: "Why a change should fix the weakness"),
                "changes": .array(of: .string(), description: "What will be done differently (data, settings)"),
                "successCriterion": .string(description: "A measurable target, e.g. 'accuracy >= 0.15 on 200 samples'"),
            ],
            required: ["iteration", "weakness", "evidence", "hypothesis", "changes", "successCriterion"])
    }

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        for (field, value) in [
            ("weakness", arguments.weakness), ("hypothesis", arguments.hypothesis),
            ("successCriterion", arguments.successCriterion),
        ] where value.trimmingCharacters(in: .whitespacesAndNewlines).isEmpty {
            return .error("\(field) is empty: say it in a sentence.")
        }
        if arguments.changes.isEmpty { return .error("changes is empty: list what this iteration does differently.") }
        if !arguments.successCriterion.contains(where: \.isNumber) {
            return .error("successCriterion must be measurable: name a metric and a number, e.g. 'accuracy >= 0.15'.")
        }
        let state = RunState.rebuild(
            from: try await environment.store.records(), runDirectory: environment.workspace.root)
        let expected = (state.lastLoggedIteration ?? 0) + 1
        if arguments.iteration != expected && arguments.iteration != state.iteration {
            return .error(
                "Iteration \(arguments.iteration) cannot be planned now: the next one is \(expected) "
                    + "(last logged: \(state.lastLoggedIteration.map(String.init) ?? "none")).")
        }
        let verified = try await verify(arguments.evidence)
        if verified.isEmpty {
            return .error(
                "The plan names no checkable evidence. Cite a saved evaluation report path, a sample id from it, "
                    + "or an evaluated label (evaluate the base model first if nothing is saved yet).")
        }
        let paths = try environment.workspace.prepareIteration(arguments.iteration)
        let replaced = FileManager.default.fileExists(atPath: paths.plan.path)
        try Data(markdown(arguments, verified: verified).utf8).write(to: paths.plan, options: .atomic)
        let relative = environment.workspace.relativePath(of: paths.plan)
        try await environment.store.append(
            PlanWritten(iteration: arguments.iteration, path: relative, hypothesis: arguments.hypothesis))
        var text =
            "\(replaced ? "Replaced" : "Wrote") \(relative) (\(verified.count)/\(arguments.evidence.count) "
            + "evidence items checked)."
        let unchecked = arguments.evidence.filter { !verified.contains($0) }
        if !unchecked.isEmpty {
            text += " Not checked (they name no saved report file, sample id or evaluated label; they are kept, marked "
                + "'not checked'): " + unchecked.map { "'\($0)'" }.joined(separator: ", ") + "."
        }
        return ToolOutput(text + " Next: build data for it.")
    }

    /// The evidence items that can be checked against the run.
    private func verify(_ evidence: [String]) async throws -> Set<String> {
        let archive = EvaluationArchive(environment: environment)
        let entries = try await archive.entries()
        var sampleIDs: Set<String> = []
        for entry in entries {
            if let report = try await archive.report(label: entry.label) {
                sampleIDs.formUnion(report.samples.map(\.id))
            }
        }
        let labels = Set(entries.map(\.label))
        let jail = environment.jail
        var verified: Set<String> = []
        for item in evidence {
            let tokens = item.split(whereSeparator: { $0.isWhitespace || ",;()'\"".contains($0) }).map(String.init)
            let namesFile = tokens.contains { token in
                guard token.contains("/") || token.hasSuffix(".json") || token.hasSuffix(".md"),
                    let url = try? jail.resolve(token)
                else { return false }
                return FileManager.default.fileExists(atPath: url.path)
            }
            if namesFile || tokens.contains(where: { sampleIDs.contains($0) || labels.contains($0) }) {
                verified.insert(item)
            }
        }
        return verified
    }

    private func markdown(_ arguments: Arguments, verified: Set<String>) -> String {
        var lines = ["# Iteration \(arguments.iteration) plan", "", "## Targeted weakness", arguments.weakness, ""]
        lines.append("## Evidence")
        lines += arguments.evidence.map { "- \($0)\(verified.contains($0) ? "" : " (not checked)")" }
        lines += ["", "## Hypothesis", arguments.hypothesis, "", "## Changes"]
        lines += arguments.changes.map { "- \($0)" }
        lines += ["", "## Success criterion", arguments.successCriterion, ""]
        return lines.joined(separator: "\n")
    }
}
