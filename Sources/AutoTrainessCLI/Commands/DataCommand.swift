import ArgumentParser
import AutoTrainess
import DataEngine
import Foundation

/// `autotrainess data`: dataset construction (build, filter, mix), checks and the contamination scan.
struct DataCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "data",
        abstract: "Build, filter and mix training data with provenance; validate its shape; scan it for contamination.",
        subcommands: [
            DataBuildCommand.self, DataFilterCommand.self, DataMixCommand.self, DataValidateCommand.self,
            DataScanCommand.self,
        ]
    )
}

/// `autotrainess data validate FILE`: exit 0 clean, 1 findings, 2 usage or I/O error.
struct DataValidateCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "validate",
        abstract: "Validate a dataset (JSONL or a JSON array) in LlamaFactory's alpaca, sharegpt or preference shape.",
        discussion: "Exit status: 0 clean, 1 findings, 2 usage or I/O error."
    )

    @Argument(help: "The dataset file.")
    var file: String?

    @Option(help: "alpaca, sharegpt or preference.")
    var format: String = DatasetFormat.alpaca.rawValue

    @Option(help: "cutoff_len in tokens (estimated: about 4 bytes or 0.77 words per token).")
    var cutoff: Int = 2048

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        guard let file else { throw CommandLineFailure.usage("name the dataset file: autotrainess data validate FILE") }
        guard let datasetFormat = DatasetFormat(rawValue: format) else {
            throw CommandLineFailure.usage("unknown --format \(format); use alpaca, sharegpt or preference")
        }
        guard cutoff > 0 else { throw CommandLineFailure.usage("--cutoff must be positive") }
        let validator = DatasetValidator(options: ValidationOptions(cutoffLength: cutoff))
        let report = try CommandLineFailure.guarding {
            try validator.validate(file: URL(fileURLWithPath: file), format: datasetFormat)
        }
        if json {
            try printJSON(report)
        } else {
            let verdict = report.isClean ? "clean" : "\(report.findingCount) finding(s)"
            print("\(report.file): \(report.sampleCount) sample(s), format \(report.format.rawValue): \(verdict)")
            for finding in report.findings {
                let place = finding.line.map { "\(report.file):\($0)" } ?? report.file
                let field = finding.field.map { " [\($0)]" } ?? ""
                print("  \(place): \(finding.kind.rawValue)\(field): \(finding.message)")
            }
            if report.findings.count < report.findingCount {
                print("  … \(report.findingCount - report.findings.count) more not listed")
            }
            if !report.isClean {
                let counts = report.counts.sorted { $0.key.rawValue < $1.key.rawValue }
                print("counts: " + counts.map { "\($0.key.rawValue) \($0.value)" }.joined(separator: ", "))
            }
        }
        if !report.isClean { throw ExitCode(1) }
    }
}

/// `autotrainess data scan --benchmark FILE --train FILE`: exit 0 clean, 1 hits (or unreadable lines),
/// 2 usage or I/O error.
struct DataScanCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "scan",
        abstract: "Scan a training set for benchmark test items (exact, 13-gram and near-duplicate overlap).",
        discussion: """
            Exit status: 0 clean, 1 contamination hits or malformed training lines (which could not be checked), \
            2 usage or I/O error.
            """
    )

    @Option(help: "The benchmark's test items (JSONL or a JSON array of objects).")
    var benchmark: String?

    @Option(help: "Comma-separated benchmark fields to index (default: question- and answer-like fields).")
    var fields: String?

    @Option(help: "The training set to scan.")
    var train: String?

    @Option(help: "N-gram size in normalized tokens.")
    var ngram: Int = 13

    @Flag(help: "Print the report as JSON.")
    var json = false

    func run() throws {
        guard let benchmark else { throw CommandLineFailure.usage("name the benchmark: --benchmark FILE") }
        guard let train else { throw CommandLineFailure.usage("name the training set: --train FILE") }
        let fieldList = fields.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        let options = ContaminationOptions(ngramSize: ngram)
        let report = try CommandLineFailure.guarding {
            let index = try ContaminationIndex(
                benchmarkFile: URL(fileURLWithPath: benchmark), fields: fieldList, options: options)
            return try index.scan(trainingFile: URL(fileURLWithPath: train))
        }
        if json {
            try printJSON(report)
        } else {
            let megabytes = String(format: "%.1f", Double(report.scannedBytes) / 1e6)
            let seconds = String(format: "%.2f", report.seconds)
            print(
                "\(report.trainingFile): \(report.scannedSamples) sample(s), \(megabytes) MB in \(seconds) s: "
                    + "\(report.contaminatedSamples) contaminated sample(s), \(report.hitCount) hit(s)")
            for hit in report.hits {
                let score = String(format: "%.2f", hit.score)
                print(
                    "  line \(hit.trainingLine) ~ benchmark line \(hit.benchmarkLine) (id \(hit.benchmarkItemID)): "
                        + "\(hit.kind.rawValue), score \(score): \"\(hit.overlap)\"")
            }
            if report.hits.count < report.hitCount {
                print("  … \(report.hitCount - report.hits.count) more not listed")
            }
            if report.malformedLineCount > 0 {
                let lines = report.malformedLines.prefix(20).map(String.init).joined(separator: ", ")
                print("malformed line(s), not checked: \(report.malformedLineCount) (\(lines))")
            }
            print(report.blocksTraining ? "verdict: contaminated, training is blocked" : "verdict: no contamination")
        }
        if !report.isClean || report.malformedLineCount > 0 { throw ExitCode(1) }
    }
}

/// Prints a value as pretty, key-sorted JSON.
func printJSON(_ value: some Encodable) throws {
    let encoder = JSONEncoder()
    encoder.outputFormatting = [.prettyPrinted, .sortedKeys, .withoutEscapingSlashes]
    print(String(decoding: try encoder.encode(value), as: UTF8.self))
}

/// Failures that end a data command with exit status 2 and a message on standard error.
enum CommandLineFailure {
    /// A usage error: prints it and returns the exit code to throw.
    static func usage(_ message: String) -> ExitCode {
        FileHandle.standardError.write(Data("error: \(message)\n".utf8))
        return ExitCode(2)
    }

    /// Runs `body`, turning data-engine errors (a missing file, an unusable benchmark) into exit status 2.
    static func guarding<T>(_ body: () throws -> T) throws -> T {
        do {
            return try body()
        } catch let error as DataEngineError {
            FileHandle.standardError.write(Data("error: \(error)\n".utf8))
            throw ExitCode(2)
        }
    }
}
