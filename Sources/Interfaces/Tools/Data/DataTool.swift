public import AgentCore
import DataEngine
import Evaluation
import Foundation

/// `data`: inspect how evaluation prompts look through the chat template, build a dataset from JSON/JSONL
/// sources with a field mapping, and validate it into a verdict (approved datasets are registered in the
/// iteration's `dataset_info.json`).
public struct DataTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        /// `inspect`, `build` or `validate`.
        public var action: String
        /// The iteration that produced it.
        public var iteration: Int?
        /// The dataset's name.
        public var dataset: String?
        /// How many examples `inspect` renders.
        public var count: Int?
        /// Source files for `build`.
        public var sources: [String]?
        /// `alpaca` or `sharegpt` for `build`.
        public var format: String?
        /// How source fields map to dataset fields, for `build`.
        public var mapping: FieldMapping?
        /// At most this many rows (`build`) or samples (`eval`).
        public var limit: Int?
        /// The cutoff for `validate`; the task's when absent.
        public var cutoffLength: Int?
    }

    /// The run, store and services the tool acts on.
    public let environment: InterfaceEnvironment

    public init(environment: InterfaceEnvironment) { self.environment = environment }

    public var name: String { "data" }
    public var description: String {
        "Benchmark-aligned data. action=inspect renders evaluation prompts (and rows of `dataset`) through the "
            + "task's chat template; action=build maps JSON/JSONL `sources` into an alpaca or sharegpt dataset; "
            + "action=validate checks a dataset and approves it for training or sends it back with reasons."
    }

    public var parameters: JSONSchema {
        .object(
            properties: [
                "action": .string(allowed: ["inspect", "build", "validate"]),
                "iteration": .integer(description: "The iteration (build, validate; inspect with dataset)", minimum: 1),
                "dataset": .string(
                    description: "Dataset name ([a-z0-9_-]); its file is iterations/<n>/data/<name>.json"),
                "count": .integer(
                    description: "inspect: how many examples to render (default 3)", minimum: 1, maximum: 10),
                "sources": .array(
                    of: .string(), description: "build: JSON or JSONL files, relative to the run or in a data root"),
                "format": .string(allowed: DatasetFormat.allCases.map(\.rawValue)),
                "mapping": .object(
                    properties: [
                        "instruction": .string(description: "Field path or template like '{question}'"),
                        "input": .string(), "output": .string(), "system": .string(),
                        "messages": .string(description: "sharegpt: field holding a list of {role, content} turns"),
                        "chosen": .string(description: "preference: the preferred answer"),
                        "rejected": .string(description: "preference: the dispreferred answer"),
                    ],
                    description: "build: how source fields become dataset fields"),
                "limit": .integer(description: "build: at most this many rows", minimum: 1),
                "cutoffLength": .integer(description: "validate: cutoff in tokens (default: the task's)", minimum: 16),
            ],
            required: ["action"])
    }

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        do {
            switch arguments.action {
            case "inspect": return try await inspect(arguments)
            case "build": return try await build(arguments)
            case "validate": return try await validate(arguments)
            default: return .error("Unknown action '\(arguments.action)': use inspect, build or validate.")
            }
        } catch let refusal as ToolRefusal {
            return .error(refusal.description)
        } catch let error as DatasetBuildError {
            return .error("Build failed: \(error). Fix the sources or the mapping and build again.")
        }
    }

    private func inspect(_ arguments: Arguments) async throws -> ToolOutput {
        guard let template = ChatTemplate(templateName: environment.task.template) else {
            return .error(
                "No renderer for template '\(environment.task.template)'; known families: "
                    + ChatTemplate.allCases.map(\.rawValue).joined(separator: ", ") + ". Read the tokenizer config.")
        }
        let count = arguments.count ?? 3
        var sections: [String] = []
        if let report = try await EvaluationArchive(environment: environment).latestReport() {
            sections.append(
                "Evaluation prompts exactly as the model receives them (\(report.label), template "
                    + "\(environment.task.template); the benchmark's answers are not shown):")
            for sample in report.samples.prefix(count) {
                let prompt = template.render([ChatTurn(role: "user", content: sample.input)], addGenerationPrompt: true)
                sections.append("[\(sample.id)]\n\(prompt)")
            }
        } else {
            sections.append("No evaluation saved yet: evaluate the base model to see its prompts.")
        }
        if let name = arguments.dataset {
            let (file, _) = try datasetFile(name, arguments.iteration)
            sections.append("Training rows of \(name), rendered the same way:")
            for row in try DatasetBuilder.readRows(file).prefix(count) {
                sections.append(template.render(Self.turns(of: row), addGenerationPrompt: false))
            }
        }
        return ToolOutput(sections.joined(separator: "\n\n"))
    }

    private func build(_ arguments: Arguments) async throws -> ToolOutput {
        let iteration = try require(arguments.iteration, "iteration")
        let name = try datasetName(arguments.dataset)
        guard let formatName = arguments.format, let format = DatasetFormat(rawValue: formatName) else {
            throw ToolRefusal("build needs format: alpaca, sharegpt or preference.")
        }
        guard let mapping = arguments.mapping else { throw ToolRefusal("build needs a mapping of source fields.") }
        guard let sources = arguments.sources, !sources.isEmpty else {
            throw ToolRefusal("build needs sources: JSON or JSONL files.")
        }
        let jail = environment.jail
        let urls = try sources.map { try jail.resolveForReading($0) }
        let paths = try environment.workspace.prepareIteration(iteration)
        let output = paths.data.appendingPathComponent("\(name).json")
        let result = try DatasetBuilder(format: format, mapping: mapping).build(
            sources: urls, output: output, limit: arguments.limit)
        try DatasetRegistry(workspace: environment.workspace, iteration: paths).revoke(name: name)
        let relative = environment.workspace.relativePath(of: output)
        try await environment.store.append(
            DataBuilt(
                iteration: iteration, dataset: name, rows: result.rows, skipped: result.skipped.values.reduce(0, +),
                path: relative))
        var text = "Built \(name) (\(format.rawValue)): \(result.rows) rows -> \(relative)."
        if !result.skipped.isEmpty {
            let reasons = result.skipped.sorted { $0.value > $1.value }.prefix(5).map { "\($0.value) × \($0.key)" }
            text += " Skipped \(result.skipped.values.reduce(0, +)): \(reasons.joined(separator: "; "))."
        }
        if result.rows == 0 { return .error(text + " No rows: check the field names in the mapping.") }
        return ToolOutput(text + " Next: validate it.")
    }

    private func validate(_ arguments: Arguments) async throws -> ToolOutput {
        let iteration = try require(arguments.iteration, "iteration")
        let name = try datasetName(arguments.dataset)
        let (file, paths) = try datasetFile(name, iteration)
        let rows = try DatasetBuilder.readRows(file)
        let format = Self.detectFormat(rows.first)
        let cutoff = arguments.cutoffLength ?? environment.task.cutoffLength
        let check = try await environment.checker.check(file: file, format: format.rawValue, cutoffLength: cutoff)
        let verdict = DatasetVerdict.judge(check)
        let registry = DatasetRegistry(workspace: environment.workspace, iteration: paths)
        var approval: DatasetApproval?
        if verdict.kind == .approve {
            approval = try registry.approve(name: name, file: file, format: format, samples: check.sampleCount)
        } else {
            try registry.revoke(name: name)
        }
        let counts =
            DatasetFindingKind.allCases.compactMap { kind in
                check.count(kind) > 0 ? "\(kind.rawValue) \(check.count(kind))" : nil
            } + (check.contamination.isEmpty ? [] : ["contaminated \(check.contamination.count)"])
        try await environment.store.append(
            DataValidated(
                iteration: iteration, dataset: name, verdict: verdict.kind.rawValue, reasons: verdict.reasons,
                samples: check.sampleCount, contamination: check.contamination.count, approval: approval))
        var lines = [
            "\(name): \(verdict.kind.rawValue) (\(check.sampleCount) rows; findings: "
                + (counts.isEmpty ? "none" : counts.joined(separator: ", ")) + ")"
        ]
        lines += verdict.reasons.map { "- \($0)" }
        lines += verdict.notes.map { "- note: \($0)" }
        if verdict.kind == .approve {
            lines.append(
                "Registered in \(environment.workspace.relativePath(of: paths.datasetInfo)). Next: train on it.")
        }
        return ToolOutput(lines.joined(separator: "\n"))
    }

    private func datasetFile(_ name: String, _ iteration: Int?) throws -> (URL, IterationPaths) {
        let iteration = try require(iteration, "iteration")
        let paths = environment.workspace.iteration(iteration)
        let file = paths.data.appendingPathComponent("\(try datasetName(name)).json")
        guard FileManager.default.fileExists(atPath: file.path) else {
            throw ToolRefusal("No dataset '\(name)' in iteration \(iteration): build it first.")
        }
        return (file, paths)
    }

    private func datasetName(_ name: String?) throws -> String {
        guard let name, !name.isEmpty,
            name.allSatisfy({ $0.isASCII && ($0.isLowercase || $0.isNumber || $0 == "_" || $0 == "-") })
        else { throw ToolRefusal("dataset must be a name of lowercase letters, digits, '_' or '-'.") }
        return name
    }

    private func require(_ iteration: Int?, _ field: String) throws -> Int {
        guard let iteration, iteration >= 1 else { throw ToolRefusal("\(field) is required (1 or more).") }
        return iteration
    }

    /// The format of a built dataset, from its first row.
    static func detectFormat(_ row: JSONValue?) -> DatasetFormat {
        if row?["chosen"] != nil { return .preference }
        return row?["conversations"] != nil ? .sharegpt : .alpaca
    }

    /// The chat turns of a built row (alpaca or sharegpt).
    static func turns(of row: JSONValue) -> [ChatTurn] {
        var turns: [ChatTurn] = []
        if let system = row["system"]?.stringValue, !system.isEmpty {
            turns.append(ChatTurn(role: "system", content: system))
        }
        if let conversation = row["conversations"]?.arrayValue {
            for turn in conversation {
                let role =
                    turn["from"]?.stringValue == "gpt"
                    ? "assistant" : (turn["from"]?.stringValue == "system" ? "system" : "user")
                turns.append(ChatTurn(role: role, content: turn["value"]?.stringValue ?? ""))
            }
        } else {
            var prompt = row["instruction"]?.stringValue ?? ""
            if let input = row["input"]?.stringValue, !input.isEmpty { prompt += "\n" + input }
            turns.append(ChatTurn(role: "user", content: prompt))
            turns.append(ChatTurn(role: "assistant", content: row["output"]?.stringValue ?? ""))
        }
        return turns
    }
}
