public import AgentCore
import DataEngine
import Evaluation
import Foundation

/// `data`: inspect how evaluation prompts look through the chat template, build a dataset from sources (JSON,
/// JSONL, CSV, TSV, Parquet, `datasets` folders) with a field mapping and a row selection, filter it (contamination,
/// duplicates, over-long rows), mix approved datasets, and validate it into a verdict (approved datasets are
/// registered in the iteration's `dataset_info.json`). Every dataset carries a provenance manifest
/// (``DatasetManifest``); validation refuses one without.
public struct DataTool: Tool {
    /// The tool's arguments, as the model writes them (see ``parameters``).
    public struct Arguments: Decodable, Sendable {
        /// `inspect`, `build`, `filter`, `mix` or `validate`.
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
        /// The cutoff for `validate` and `filter`; the task's when absent.
        public var cutoffLength: Int?
        /// `build`: the split of a multi-split source.
        public var split: String?
        /// `build`: keep rows matching `field=value`, `field!=value` or `field~text`.
        public var `where`: String?
        /// `build`: a seeded sample of this many rows per source.
        public var sample: Int?
        /// `build` (sample) and `mix`: the seed.
        public var seed: UInt64?
        /// `filter`: the dataset to filter (in the same iteration).
        public var from: String?
        /// `filter`: what to drop (default all): contamination, duplicate, near_duplicate, too_long.
        public var drop: [String]?
        /// `mix`: the approved datasets to mix, each with a relative `weight` or a row `cap`.
        public var parts: [MixPart]?
        /// `generate`: `script`, `sample` or `teacher`.
        public var mode: String?
        /// `generate mode=script`: the generator (a file in the run folder, e.g. scratch/gen.py), run with
        /// `python3 <script> <output.jsonl>` in the agent's shell sandbox.
        public var script: String?
        /// `generate mode=sample|teacher`: answers per prompt, and how they are verified against the reference.
        public var samples: Int?
        public var temperature: Double?
        /// `generate`, and `build`/`filter` with `reference`: exact, numeric, regex or multiple_choice.
        public var verifier: String?
        /// `build`/`filter` with `verifier`: the reference answer, a field or template of the row (`final_answer`).
        public var reference: String?
        /// `generate mode=sample`: `base` or a checkpoint id (a folder under checkpoints/).
        public var model: String?
        /// `generate`: the longest answer, in tokens.
        public var maxNewTokens: Int?
    }

    /// One input of `mix`.
    public struct MixPart: Codable, Sendable, Hashable {
        public var dataset: String
        public var weight: Double?
        public var cap: Int?
    }

    /// The run, store and services the tool acts on.
    public let environment: InterfaceEnvironment

    public init(environment: InterfaceEnvironment) { self.environment = environment }

    public var name: String { "data" }
    public var description: String {
        "Benchmark-aligned data. action=inspect renders evaluation prompts (and rows of `dataset`) through the "
            + "task's chat template; action=build maps `sources` (JSON, JSONL, CSV, TSV, Parquet, save_to_disk or "
            + "Hugging Face dataset folders) into an alpaca, sharegpt or preference dataset, with optional split, "
            + "where, seeded sample and limit; action=filter writes `dataset` from `from` without contaminated, "
            + "duplicate or over-long rows; action=mix writes `dataset` from approved `parts` by weight or cap; "
            + "action=generate makes rows: mode=script runs your generator and builds from its JSONL; mode=sample "
            + "samples answers to `sources` prompts (mapping.instruction) from a local model and keeps verified "
            + "ones (mapping.output is the reference); mode=teacher does the same with an outside model when the "
            + "task allows; action=validate checks a dataset and approves it for training or sends it back with "
            + "reasons. Each dataset gets a provenance manifest (<name>.manifest.json)."
    }

    public var parameters: JSONSchema {
        .object(properties: Self.commonProperties.merging(Self.generateProperties) { first, _ in first }, required: ["action"])
    }

    /// The `generate` arguments.
    static let generateProperties: [String: JSONSchema] = [
        "mode": .string(
            description: "generate: run a generator script, sample verified answers from a local model "
                + "(rejection sampling), or ask a teacher model when the task allows external models",
            allowed: ["script", "sample", "teacher"]),
        "script": .string(description: "generate mode=script: the generator file, run as `python3 <script> <out.jsonl>`"),
        "samples": .integer(description: "generate sample/teacher: answers per prompt (default 4)", minimum: 1, maximum: 16),
        "temperature": .number(description: "generate sample/teacher: sampling temperature (default 0.8)"),
        "verifier": .string(
            description: "generate sample/teacher: how an answer is checked against mapping.output (the reference); "
                + "build/filter with reference: keep only rows whose answer passes",
            allowed: ["exact", "numeric", "regex", "multiple_choice"]),
        "reference": .string(
            description: "build/filter with verifier: the field (or template) of the row holding the right answer, "
                + "e.g. final_answer"),
        "model": .string(description: "generate mode=sample: 'base' or a checkpoint id"),
        "maxNewTokens": .integer(description: "generate sample/teacher: longest answer in tokens (default 128)", minimum: 1),
        "iteration": .integer(description: "The iteration (build, validate; inspect with dataset)", minimum: 1),
    ]

    /// The arguments of the other actions.
    static let commonProperties: [String: JSONSchema] = [
                "action": .string(allowed: ["inspect", "build", "generate", "filter", "mix", "validate"]),
                "dataset": .string(
                    description: "Dataset name ([a-z0-9_-]); its file is iterations/<n>/data/<name>.json"),
                "count": .integer(
                    description: "inspect: how many examples to render (default 3)", minimum: 1, maximum: 10),
                "sources": .array(
                    of: .string(),
                    description: "build: files or dataset folders (.json, .jsonl, .csv, .tsv, .parquet, .arrow, "
                        + "save_to_disk, HF dataset folder), relative to the run or in a data root"),
                "split": .string(description: "build: the split of a multi-split dataset folder"),
                "where": .string(description: "build: keep rows where 'field=value', 'field!=value' or 'field~text'"),
                "sample": .integer(description: "build: a seeded random sample of this many rows per source", minimum: 1),
                "seed": .integer(description: "build (sample) and mix: the seed (default 0)", minimum: 0),
                "from": .string(description: "filter: the dataset (same iteration) to filter"),
                "drop": .array(
                    of: .string(allowed: ["contamination", "duplicate", "near_duplicate", "too_long"]),
                    description: "filter: what to drop (default: all four)"),
                "parts": .array(
                    of: .object(
                        properties: [
                            "dataset": .string(description: "an approved dataset of this iteration"),
                            "weight": .number(description: "relative share of `limit` rows"),
                            "cap": .integer(description: "at most this many rows of it", minimum: 1),
                        ], required: ["dataset"]),
                    description: "mix: the approved datasets to combine; with weights, `limit` is the total"),
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
                "limit": .integer(description: "build: at most this many rows per source; mix: the total", minimum: 1),
                "cutoffLength": .integer(description: "validate: cutoff in tokens (default: the task's)", minimum: 16),
    ]

    public func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
        do {
            switch arguments.action {
            case "inspect": return try await inspect(arguments)
            case "build": return try await build(arguments)
            case "filter": return try await filter(arguments)
            case "mix": return try await mix(arguments)
            case "generate": return try await generate(arguments)
            case "validate": return try await validate(arguments)
            default:
                return .error("Unknown action '\(arguments.action)': use inspect, build, generate, filter, mix or validate.")
            }
        } catch let refusal as ToolRefusal {
            return .error(refusal.description)
        } catch let error as DatasetBuildError {
            return .error(
                "\(arguments.action.capitalized) failed: \(error). Fix the sources, the selection or the mapping and "
                    + "try again.")
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
            throw ToolRefusal("build needs sources: files or dataset folders.")
        }
        let jail = environment.jail
        let urls = try sources.map { try jail.resolveForReading($0) }
        let selection = DataSelection(
            split: arguments.split, where: arguments.where, sample: arguments.sample, seed: arguments.seed,
            limit: arguments.limit)
        let paths = try environment.workspace.prepareIteration(iteration)
        let output = paths.data.appendingPathComponent("\(name).json")
        let built = try await DataConstruction(sources: environment.sources).build(
            name: name, sources: urls, selection: selection, format: format, mapping: mapping,
            verifier: try rowVerifier(arguments), output: output)
        let result = built.result
        let read = built.manifest.operations.last?.sources ?? []
        try await recordWritten(
            name, iteration: iteration, paths: paths, output: output, rows: result.rows,
            skipped: result.skipped.values.reduce(0, +))
        let relative = environment.workspace.relativePath(of: output)
        var text = "Built \(name) (\(format.rawValue)): \(result.rows) rows -> \(relative)."
        let selectedText = read.map { "\(URL(fileURLWithPath: $0.path).lastPathComponent) \($0.kind) \($0.rowsSelected)/\($0.rowsRead)" }
        text += " Read: " + selectedText.joined(separator: ", ") + "."
        if !result.skipped.isEmpty {
            let reasons = result.skipped.sorted { $0.value > $1.value }.prefix(5).map { "\($0.value) × \($0.key)" }
            text += " Skipped \(result.skipped.values.reduce(0, +)): \(reasons.joined(separator: "; "))."
        }
        if result.rows == 0 { return .error(text + " No rows: check the field names in the mapping.") }
        return ToolOutput(text + " Manifest: \(environment.workspace.relativePath(of: DatasetManifest.file(for: output))). Next: validate it.")
    }

    /// Makes rows: a generator script's output built like a source, or verified answers sampled from a local
    /// model or a teacher (rejection sampling).
    private func generate(_ arguments: Arguments) async throws -> ToolOutput {
        let iteration = try require(arguments.iteration, "iteration")
        let name = try datasetName(arguments.dataset)
        let paths = try environment.workspace.prepareIteration(iteration)
        let output = paths.data.appendingPathComponent("\(name).json")
        let jail = environment.jail
        switch arguments.mode {
        case "script":
            guard let script = arguments.script else { throw ToolRefusal("generate mode=script needs script: the generator file.") }
            let code = try jail.resolveForReading(script)
            guard let formatName = arguments.format, let format = DatasetFormat(rawValue: formatName),
                let mapping = arguments.mapping
            else { throw ToolRefusal("generate mode=script needs format and mapping, as build does, for its output rows.") }
            let raw = environment.workspace.root.appendingPathComponent("scratch/\(name).generated.jsonl")
            let command = "python3 '\(code.path)' '\(raw.path)'"
            let result = try await environment.commandTool.run(command, timeoutSeconds: 600)
            guard result.status == 0, !result.timedOut, FileManager.default.fileExists(atPath: raw.path) else {
                return .error(
                    "The generator failed (exit \(result.status)\(result.timedOut ? ", timed out" : "")) or wrote no "
                        + "\(environment.workspace.relativePath(of: raw)):\n\(result.output.suffix(2000))")
            }
            var built = try await DataConstruction(sources: environment.sources).build(
                name: name, sources: [raw], selection: DataSelection(sample: arguments.sample, seed: arguments.seed, limit: arguments.limit),
                format: format, mapping: mapping, output: output)
            let saved = paths.data.appendingPathComponent("\(name).generator\(code.pathExtension.isEmpty ? "" : "." + code.pathExtension)")
            try? FileManager.default.removeItem(at: saved)
            try FileManager.default.copyItem(at: code, to: saved)
            built.manifest.operations.insert(
                DatasetManifest.Operation(
                    action: "generate",
                    sources: [
                        DatasetManifest.Source(
                            path: environment.workspace.relativePath(of: saved), sha256: try DatasetManifest.digest(of: saved),
                            kind: "generator", rowsRead: 0, rowsSelected: 0)
                    ],
                    parameters: ["mode": "script", "command": .string(command)], rowsIn: 0,
                    rowsOut: built.manifest.operations.first?.rowsIn ?? 0),
                at: 0)
            try built.manifest.write(for: output)
            return try await recordGenerated(
                name, iteration: iteration, paths: paths, output: output, rows: built.result.rows,
                text: "Generated \(name) with \(script): \(built.result.rows) rows (generator saved as "
                    + "\(environment.workspace.relativePath(of: saved))).")
        case "sample", "teacher":
            return try await sampled(arguments, mode: arguments.mode!, name: name, iteration: iteration, paths: paths, output: output)
        default:
            throw ToolRefusal("generate needs mode: script, sample or teacher.")
        }
    }

    /// Rejection sampling from a local model (`sample`) or a teacher (`teacher`).
    private func sampled(
        _ arguments: Arguments, mode: String, name: String, iteration: Int, paths: IterationPaths, output: URL
    ) async throws -> ToolOutput {
        if mode == "teacher" {
            if let rule = environment.teacher.forbiddenBy {
                throw ToolRefusal("generate mode=teacher is refused: \(rule). Use mode=sample (the base model or your checkpoints) or mode=script.")
            }
            guard environment.teacher.provider != nil else {
                throw ToolRefusal("generate mode=teacher: this run has no teacher model configured. Use mode=sample or mode=script.")
            }
        }
        guard let verifierName = arguments.verifier,
            let verifier = BenchmarkScorer(rawValue: verifierName == "multiple_choice" ? "multipleChoice" : verifierName)
        else { throw ToolRefusal("generate mode=\(mode) needs verifier: exact, numeric, regex or multiple_choice.") }
        guard let mapping = arguments.mapping, let promptField = mapping.instruction, let referenceField = mapping.output else {
            throw ToolRefusal("generate mode=\(mode) needs mapping.instruction (the prompt) and mapping.output (the reference answer).")
        }
        guard let sources = arguments.sources, !sources.isEmpty else {
            throw ToolRefusal("generate mode=\(mode) needs sources: the prompts with their reference answers.")
        }
        let selection = DataSelection(split: arguments.split, where: arguments.where, sample: arguments.sample, seed: arguments.seed, limit: arguments.limit)
        let (rows, read) = try await DataConstruction(sources: environment.sources).selectedRows(
            of: try sources.map { try environment.jail.resolveForReading($0) }, selection: selection)
        var prompts: [AnswerSampling.Prompt] = []
        for row in rows {
            guard let prompt = try? DatasetBuilder.resolve(promptField, in: row),
                let reference = try? DatasetBuilder.resolve(referenceField, in: row)
            else { continue }
            prompts.append(AnswerSampling.Prompt(id: "p\(prompts.count)", prompt: prompt, reference: reference))
        }
        guard !prompts.isEmpty else { throw ToolRefusal("No prompts: check mapping.instruction and mapping.output against the source's fields.") }
        let k = arguments.samples ?? 4
        let temperature = arguments.temperature ?? 0.8
        let maxNewTokens = arguments.maxNewTokens ?? 128
        let answers: [[String]]
        var teacherName: String?
        if mode == "teacher", let provider = environment.teacher.provider {
            teacherName = environment.teacher.model ?? "teacher"
            answers = try await AnswerSampling.teacherAnswers(
                prompts, provider: provider, model: teacherName!, k: k, temperature: temperature, maxTokens: maxNewTokens)
        } else {
            let model = try samplingModel(arguments.model ?? "base")
            answers = try await AnswerSampling.localAnswers(
                prompts, model: model, k: k, temperature: temperature, maxNewTokens: maxNewTokens,
                seed: arguments.seed ?? 0, python: environment.sources.python)
        }
        let outcome = AnswerSampling(verifier: verifier).keep(prompts, answers: answers)
        try DatasetBuilder.write(outcome.rows, to: output)
        let manifest = DatasetManifest(
            dataset: name, format: DatasetFormat.alpaca.rawValue,
            operations: [
                DatasetManifest.Operation(
                    action: "generate", sources: read,
                    parameters: [
                        "mode": .string(mode), "model": .string(teacherName ?? arguments.model ?? "base"),
                        "samples": .number(Double(k)), "temperature": .number(temperature),
                        "verifier": .string(verifierName), "mapping": try JSONValue(encoding: mapping),
                        "acceptanceRate": .number(outcome.acceptanceRate),
                        "acceptedSamples": .number(Double(outcome.accepted)), "totalSamples": .number(Double(outcome.samples)),
                    ],
                    rowsIn: outcome.prompts, rowsOut: outcome.rows.count,
                    dropped: outcome.prompts > outcome.promptsKept ? ["no verified answer": outcome.prompts - outcome.promptsKept] : [:])
            ])
        try manifest.write(for: output)
        return try await recordGenerated(
            name, iteration: iteration, paths: paths, output: output, rows: outcome.rows.count,
            text: "Generated \(name) by \(mode == "teacher" ? "teacher \(teacherName ?? "")" : "sampling \(arguments.model ?? "base")"): "
                + "\(outcome.accepted)/\(outcome.samples) answers verified (acceptance "
                + String(format: "%.0f%%", outcome.acceptanceRate * 100) + "); \(outcome.promptsKept)/\(outcome.prompts) prompts kept "
                + "with their first verified answer.")
    }

    /// The model folder `sample` draws from: the base model, or a checkpoint of the run.
    private func samplingModel(_ reference: String) throws -> URL {
        if reference == "base" { return URL(fileURLWithPath: environment.task.baseModel) }
        let checkpoint = environment.workspace.root.appendingPathComponent("checkpoints/\(reference)")
        guard FileManager.default.fileExists(atPath: checkpoint.appendingPathComponent("config.json").path) else {
            throw ToolRefusal("No model '\(reference)': use 'base' or a checkpoint id (a folder under checkpoints/).")
        }
        return checkpoint
    }

    /// A dataset was (re)written: its earlier approval is withdrawn and `data.built` recorded.
    private func recordWritten(
        _ name: String, iteration: Int, paths: IterationPaths, output: URL, rows: Int, skipped: Int
    ) async throws {
        try DatasetRegistry(workspace: environment.workspace, iteration: paths).revoke(name: name)
        try await environment.store.append(
            DataBuilt(
                iteration: iteration, dataset: name, rows: rows, skipped: skipped,
                path: environment.workspace.relativePath(of: output)))
    }

    /// Records a generated dataset like a built one.
    private func recordGenerated(
        _ name: String, iteration: Int, paths: IterationPaths, output: URL, rows: Int, text: String
    ) async throws -> ToolOutput {
        try await recordWritten(name, iteration: iteration, paths: paths, output: output, rows: rows, skipped: 0)
        if rows == 0 { return .error(text + " No rows.") }
        return ToolOutput(text + " Next: validate it.")
    }

    /// Writes `dataset` from `from` without the rows the checks flag (contamination, duplicates, over-long rows).
    private func filter(_ arguments: Arguments) async throws -> ToolOutput {
        let iteration = try require(arguments.iteration, "iteration")
        let name = try datasetName(arguments.dataset)
        guard let from = arguments.from else { throw ToolRefusal("filter needs from: the dataset to filter.") }
        let (source, paths) = try datasetFile(from, iteration)
        let kinds = Set(arguments.drop ?? ["contamination", "duplicate", "near_duplicate", "too_long"])
        let cutoff = arguments.cutoffLength ?? environment.task.cutoffLength
        let output = paths.data.appendingPathComponent("\(name).json")
        let (outcome, _) = try await DataConstruction(sources: environment.sources).filter(
            name: name, source: source, kinds: kinds, cutoffLength: cutoff, checker: environment.checker,
            verifier: try rowVerifier(arguments), output: output)
        try await recordWritten(
            name, iteration: iteration, paths: paths, output: output, rows: outcome.kept.count,
            skipped: outcome.rowsIn - outcome.kept.count)
        let dropped = outcome.dropped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
        return ToolOutput(
            "Filtered \(from) into \(name): \(outcome.rowsIn) -> \(outcome.kept.count) rows; dropped "
                + (dropped.isEmpty ? "nothing" : dropped.joined(separator: ", ")) + ". Next: validate it.")
    }

    /// The verifier of `build` and `filter`: `verifier` with `reference`, or none.
    private func rowVerifier(_ arguments: Arguments) throws -> RowVerifier? {
        switch (arguments.verifier, arguments.reference) {
        case (nil, nil): return nil
        case (let name?, let reference?): return try RowVerifier(scorer: name, reference: reference)
        case (.some, nil): throw ToolRefusal("\(arguments.action) with verifier needs reference: the field holding the right answer.")
        case (nil, .some): throw ToolRefusal("reference goes with verifier: exact, numeric, regex or multiple_choice.")
        }
    }

    /// Writes `dataset` from approved datasets of the iteration, by weight (of `limit` rows) or cap, seeded.
    private func mix(_ arguments: Arguments) async throws -> ToolOutput {
        let iteration = try require(arguments.iteration, "iteration")
        let name = try datasetName(arguments.dataset)
        guard let parts = arguments.parts, !parts.isEmpty else {
            throw ToolRefusal("mix needs parts: [{dataset, weight or cap}] of approved datasets.")
        }
        let paths = environment.workspace.iteration(iteration)
        let approved = Set(DatasetRegistry(workspace: environment.workspace, iteration: paths).approvedNames())
        var inputs: [DataConstruction.MixInput] = []
        for part in parts {
            guard approved.contains(part.dataset) else {
                throw ToolRefusal(
                    "mix takes approved datasets only; '\(part.dataset)' is not approved in iteration \(iteration) "
                        + "(approved: \(approved.sorted().joined(separator: ", ")))")
            }
            let (file, _) = try datasetFile(part.dataset, iteration)
            inputs.append(DataConstruction.MixInput(file: file, weight: part.weight, cap: part.cap))
        }
        let output = paths.data.appendingPathComponent("\(name).json")
        let (taken, sizes, manifest) = try DataConstruction(sources: environment.sources).mix(
            name: name, parts: inputs, total: arguments.limit, seed: arguments.seed ?? 0, output: output)
        let mixedCount = manifest.operations.last?.rowsOut ?? 0
        try await recordWritten(name, iteration: iteration, paths: paths, output: output, rows: mixedCount, skipped: 0)
        let shares = zip(parts, zip(taken, sizes)).map { "\($0.dataset) \($1.0)/\($1.1)" }
        return ToolOutput(
            "Mixed \(name): \(mixedCount) rows (\(shares.joined(separator: ", ")); seed \(arguments.seed ?? 0)). "
                + "Next: validate it.")
    }

    private func validate(_ arguments: Arguments) async throws -> ToolOutput {
        let iteration = try require(arguments.iteration, "iteration")
        let name = try datasetName(arguments.dataset)
        let (file, paths) = try datasetFile(name, iteration)
        guard var manifest = DatasetManifest.load(for: file) else {
            throw ToolRefusal(
                "\(name) has no provenance manifest (\(DatasetManifest.file(for: file).lastPathComponent)): it was not "
                    + "made by the data tool. Build it with action=build from its source (a generator's output in "
                    + "scratch/ is a source), so its origin is recorded; then validate.")
        }
        let rows = try DatasetBuilder.readRows(file)
        let format = Self.detectFormat(rows.first)
        let cutoff = arguments.cutoffLength ?? environment.task.cutoffLength
        let check = try await environment.checker.check(file: file, format: format.rawValue, cutoffLength: cutoff)
        let verdict = DatasetVerdict.judge(check)
        manifest.validation = DatasetManifest.Validation(
            verdict: verdict.kind.rawValue, reasons: verdict.reasons, contaminationHits: check.contamination.count,
            sha256: try DatasetManifest.digest(of: file))
        try manifest.write(for: file)
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
        if let counting = check.lengthCounting { lines.append("- lengths against cutoff_len \(cutoff): \(counting)") }
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
