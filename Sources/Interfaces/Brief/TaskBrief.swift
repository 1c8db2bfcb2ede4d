import AgentCore
public import DataEngine
import Foundation

/// What the model is told about its task before anything else: every session's first message and the MCP
/// `workflow_status` start with it, and `autotrainess run --dry-run` prints it.
///
/// It names what a model cannot guess: the goal in the task's words, the base model, how it is evaluated (with
/// evaluation prompts exactly as the model under training receives them, never their answers), the data it may read
/// (files, rows, fields, an example each), the budget and hardware, the rules, and the skills. It stays bounded
/// (``characterLimit``) whatever the data roots hold.
public struct TaskBrief: Sendable, Hashable {
    /// The base model.
    public struct Model: Sendable, Hashable {
        public var path: String
        /// `model_type` / `architectures[0]` from `config.json`.
        public var architecture: String?
        public var parameters: Int64?
        /// The LlamaFactory template name the run uses.
        public var template: String
        /// Whether the tokenizer ships a chat template (an instruction-tuned model usually does).
        public var hasChatTemplate: Bool?
        /// The task's training `cutoff_len` in tokens.
        public var cutoffLength: Int

        public init(
            path: String, architecture: String?, parameters: Int64?, template: String, hasChatTemplate: Bool?,
            cutoffLength: Int
        ) {
            self.cutoffLength = cutoffLength
            self.path = path
            self.architecture = architecture
            self.parameters = parameters
            self.template = template
            self.hasChatTemplate = hasChatTemplate
        }
    }

    /// How candidates are scored.
    public struct Evaluation: Sendable, Hashable {
        /// The benchmark's name.
        public var benchmark: String
        /// How it is run and scored, in words (`local JSONL benchmark, exact match`, `inspect_ai task …`).
        public var method: String
        public var size: Int?
        /// The fewest samples a comparable evaluation needs.
        public var sampleFloor: Int
        /// A few evaluation prompts rendered through the chat template, as the model under training receives them.
        public var prompts: [String]

        public init(benchmark: String, method: String, size: Int?, sampleFloor: Int, prompts: [String]) {
            self.benchmark = benchmark
            self.method = method
            self.size = size
            self.sampleFloor = sampleFloor
            self.prompts = prompts
        }
    }

    /// The budget and the machine.
    public struct Resources: Sendable, Hashable {
        public var totalSeconds: Double
        public var reserveSeconds: Double
        public var maxIterations: Int?
        public var maxCostUSD: Double?
        public var cpuCores: Int
        public var gpus: [String]
        /// What a training step costs here, when a job was measured on this run or machine.
        public var measuredTraining: String?

        public init(
            totalSeconds: Double, reserveSeconds: Double, maxIterations: Int?, maxCostUSD: Double?, cpuCores: Int,
            gpus: [String], measuredTraining: String?
        ) {
            self.totalSeconds = totalSeconds
            self.reserveSeconds = reserveSeconds
            self.maxIterations = maxIterations
            self.maxCostUSD = maxCostUSD
            self.cpuCores = cpuCores
            self.gpus = gpus
            self.measuredTraining = measuredTraining
        }
    }

    /// The task's goal, in its own words.
    public var goal: String
    public var model: Model
    public var evaluation: Evaluation
    /// The data roots, listed (``DataListing``).
    public var data: [DataListing]
    public var resources: Resources
    /// The rules, one line each.
    public var rules: [String]
    /// The skills index (name and one line each).
    public var skills: String
    /// The most characters the rendered brief has (about 5k tokens).
    public var characterLimit: Int

    /// Creates a brief.
    public init(
        goal: String, model: Model, evaluation: Evaluation, data: [DataListing], resources: Resources,
        rules: [String] = TaskBrief.standardRules(), skills: String, characterLimit: Int = 20_000
    ) {
        self.goal = goal
        self.model = model
        self.evaluation = evaluation
        self.data = data
        self.resources = resources
        self.rules = rules
        self.skills = skills
        self.characterLimit = characterLimit
    }

    /// The rules the default workflow enforces, in plain words, with the thresholds the checks use.
    public static func standardRules(
        contamination: ContaminationOptions = ContaminationOptions(), validation: ValidationOptions = ValidationOptions()
    ) -> [String] { [

        "Order inside an iteration: plan (cite evidence, one measurable success criterion) -> data build + validate "
            + "-> train -> eval -> log. A call out of order is refused with what to do first.",
        "train uses only datasets the data tool approved in the open iteration, unchanged since (their SHA-256 is "
            + "checked).",
        "Contamination: before every training job its files are scanned against the benchmark's items: the same "
            + "text after normalization (case, spacing, punctuation), a shared \(contamination.ngramSize)-word "
            + "sequence, a near duplicate (MinHash over word \(contamination.shingleSize)-grams, estimated Jaccard >= "
            + "\(contamination.nearDuplicateThreshold)), or, for short items, every field value of one item in one "
            + "sample. Any hit blocks training: drop those rows or sources.",
        "Validation sends data back when more than 10% of rows are exact or near duplicates (near: MinHash over word "
            + "\(validation.shingleSize)-grams, Jaccard >= \(validation.nearDuplicateThreshold), judged on the words "
            + "that vary between rows: words in more than \(Int(validation.templateShare * 100))% of rows are a "
            + "shared template and do not count), for empty, broken or mis-shaped rows, or when more than 5% of rows "
            + "exceed cutoff_len; each reason names example rows and the fix.",
        "Only the base model or a registered descendant may be trained from or evaluated; final_model/ changes only "
            + "when a candidate beats the current one by more than noise (paired bootstrap, 95% interval above 0).",
        "Evaluations below the sample floor are smoke tests: they cannot promote or be compared.",
        "The evaluation files and the benchmark are protected: they are not readable, and a change blocks evaluation. "
            + "Evaluation results show your model's answers and whether each was right (and why not), never the "
            + "benchmark's answers.",
        "Jobs start only while time is left beyond the final reserve; a job whose measured rate cannot finish in time "
            + "is stopped at a step boundary with its checkpoints kept. The budget is wall-clock and counts your own "
            + "thinking time.",
        "The shell runs sandboxed: only scratch/ and the open iteration's data/ and train/ are writable; data roots "
            + "are read-only; no API keys in its environment.",
    ] }

    /// The brief as the model reads it.
    public var rendered: String {
        var sections = ["# Task brief", "", "## Goal", goal]
        sections += ["", "## Base model", "- folder: \(model.path)"]
        var shape: [String] = []
        if let architecture = model.architecture { shape.append(architecture) }
        if let parameters = model.parameters { shape.append(String(format: "%.0fM parameters", Double(parameters) / 1e6)) }
        if !shape.isEmpty { sections.append("- model: " + shape.joined(separator: ", ")) }
        var template = "- chat template: \(model.template)"
        if let chat = model.hasChatTemplate {
            template += chat ? " (the tokenizer ships one: probably instruction-tuned)" : " (the tokenizer has none: a base model)"
        }
        sections.append(template)
        sections.append(
            "- training cutoff_len: \(model.cutoffLength) tokens (the task's; longer rows are truncated, validation "
                + "counts them)")

        sections += ["", "## Evaluation", "- benchmark: \(evaluation.benchmark) (\(evaluation.method))"]
        if let size = evaluation.size { sections.append("- size: \(size) items") }
        sections.append(
            "- sample floor: \(evaluation.sampleFloor) (smaller evaluations are smoke tests: not comparable, never "
                + "promote)")
        if evaluation.prompts.isEmpty {
            sections.append("- evaluation prompts: shown by `data action=inspect` once the baseline is evaluated")
        } else {
            sections.append(
                "- \(evaluation.prompts.count) evaluation prompts exactly as the model under training receives them "
                    + "(answers are never shown; train on data in this format):")
            for (index, prompt) in evaluation.prompts.enumerated() {
                sections += ["", "Prompt \(index + 1):", "```", Self.clip(prompt, 600), "```"]
            }
        }

        sections += ["", "## Data you may read (read-only; read_file and list_dir take these paths)"]
        if data.isEmpty { sections.append("No data roots: generate data with run_command into scratch/.") }
        for root in data { sections.append(root.rendered) }

        sections += ["", "## Budget and hardware"]
        let minutes = DurationText.format(resources.totalSeconds)
        sections.append(
            "- wall clock: \(minutes) in all, counting your own time; \(DurationText.format(resources.reserveSeconds)) "
                + "of it is reserved for the final evaluation and promotion (no job may use it)")
        if let iterations = resources.maxIterations { sections.append("- iterations: at most \(iterations)") }
        if let usd = resources.maxCostUSD { sections.append(String(format: "- model spend: at most $%.2f", usd)) }
        sections.append(
            "- hardware: " + (resources.gpus.isEmpty
                ? "CPU only, \(resources.cpuCores) cores (no GPU: keep models, batches and steps small)"
                : "\(resources.gpus.count) GPU(s): \(resources.gpus.joined(separator: ", ")); \(resources.cpuCores) CPU cores"))
        sections.append(
            "- training cost: " + (resources.measuredTraining
                ?? "not measured yet on this machine: start with a short job (max_steps) to measure it"))

        sections += ["", "## Rules (enforced in code; a refused call says which rule and what to do)"]
        sections += rules.map { "- \($0)" }
        sections += ["", "## Skills", skills]
        let text = sections.joined(separator: "\n")
        return Self.clip(text, characterLimit)
    }

    /// `text` cut to `limit` characters, saying so.
    static func clip(_ text: String, _ limit: Int) -> String {
        guard text.count > limit else { return text }
        return String(text.prefix(limit)) + "\n[… cut at \(limit) characters]"
    }
}
