import ArgumentParser
import AutoTrainess
import Foundation

/// `autotrainess eval`: run one evaluation, or read an inspect_ai log.
struct EvalCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "eval",
        abstract: "Evaluate a model folder, or read an inspect_ai JSON log.",
        subcommands: [EvalRunCommand.self, EvalReadCommand.self],
        defaultSubcommand: EvalRunCommand.self
    )
}

/// `autotrainess eval read LOG [--json]`: exit 0 for a successful eval, 1 for a failed or cancelled one, 2 when the
/// file cannot be read as an inspect log.
struct EvalReadCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "read",
        abstract: "Read an inspect_ai JSON log: status, metrics, sample count.",
        discussion: "Exit codes: 0 the eval succeeded, 1 the log records a failed, cancelled or unfinished eval, "
            + "2 the file is missing, empty, not JSON or not an inspect log."
    )

    @Argument(help: "The inspect log (.json; convert .eval logs with `inspect log convert`).")
    var log: String

    @Flag(help: "Print the summary as JSON.")
    var json = false

    func run() async throws {
        let url = URL(fileURLWithPath: log)
        let summary: InspectLogSummary
        do {
            summary = InspectLogSummary(log: try InspectLogReader.read(url), path: url.path)
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
        print(json ? try EvalOutput.json(summary) : summary.description)
        if summary.status != .success { throw ExitCode(1) }
    }
}

/// `autotrainess eval --model DIR --evaluator local|inspect|posttrainbench …`: one evaluation, report printed.
struct EvalRunCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "run",
        abstract: "Evaluate a model folder once and print the report (exit 0 done, 1 failed)."
    )

    enum Kind: String, ExpressibleByArgument, CaseIterable {
        case local, inspect, posttrainbench
    }

    @Option(help: "The model folder to evaluate.")
    var model: String

    @Option(help: "Which evaluator: local (a JSONL benchmark), inspect (an inspect_ai task), posttrainbench.")
    var evaluator: Kind

    @Option(help: "local: the benchmark JSONL file.")
    var benchmark: String?

    @Option(help: "inspect: a task file or registry name; posttrainbench: the task folder holding evaluate.py.")
    var task: String?

    @Option(help: "inspect: how inspect loads the model (hf or vllm).")
    var inspectProvider: String = "hf"

    @Option(help: "posttrainbench: a JSON file with the fingerprint recorded at run start ({\"digests\": {…}}).")
    var fingerprint: String?

    @Option(help: "Evaluate at most this many samples.")
    var limit: Int?

    @Option(help: "local: new tokens per answer.")
    var maxNewTokens: Int = 256

    @Option(help: "A label for the report.")
    var label: String = "eval"

    @Option(help: "Where logs, prompts and outputs go.")
    var output: String = "eval-runs"

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() async throws {
        let target = EvaluationTarget(modelPath: URL(fileURLWithPath: model).path, label: label, limit: limit)
        do {
            let report = try await makeEvaluator().evaluate(target)
            print(json ? try EvalOutput.json(report) : EvalOutput.text(report))
        } catch {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(1)
        }
    }

    func makeEvaluator() throws -> any Evaluator {
        let outputDirectory = URL(fileURLWithPath: output, isDirectory: true)
        switch evaluator {
        case .local:
            guard let benchmark else { throw ValidationError("--evaluator local needs --benchmark FILE") }
            return LocalBenchmarkEvaluator(
                benchmark: try LocalBenchmark.load(from: URL(fileURLWithPath: benchmark)),
                workDirectory: outputDirectory, maxNewTokens: maxNewTokens)
        case .inspect:
            guard let task else { throw ValidationError("--evaluator inspect needs --task TASK") }
            guard let provider = ["hf": InspectModel.huggingFace, "vllm": .vllm][inspectProvider] else {
                throw ValidationError("--inspect-provider must be hf or vllm")
            }
            return InspectEvaluator(task: task, model: provider, logDirectory: outputDirectory)
        case .posttrainbench:
            guard let task else { throw ValidationError("--evaluator posttrainbench needs --task FOLDER") }
            let expected = try fingerprint.map { path in
                try JSONDecoder().decode(FileFingerprint.self, from: Data(contentsOf: URL(fileURLWithPath: path)))
            }
            return PostTrainBenchEvaluator(
                taskDirectory: URL(fileURLWithPath: task, isDirectory: true), outputDirectory: outputDirectory,
                expectedFingerprint: expected)
        }
    }
}

/// Renders reports and summaries for the terminal.
enum EvalOutput {
    static func json(_ value: some Encodable) throws -> String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        return String(decoding: try encoder.encode(value), as: UTF8.self)
    }

    static func text(_ report: EvaluationReport) -> String {
        let stderr = report.stderr.map { String(format: " ± %.4f", $0) } ?? ""
        return "\(report.benchmark) \(report.metric): \(String(format: "%.4f", report.score))\(stderr) "
            + "(n=\(report.sampleCount), model \(report.modelPath), "
            + "\(String(format: "%.1f", report.durationSeconds)) s)"
    }
}
