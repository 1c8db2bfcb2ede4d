import ArgumentParser
import AutoTrainess
import DataEngine
import Foundation
import Interfaces

/// `autotrainess data build --source FILE... --map field=template... --out FILE`: exit 0 built, 1 no rows, 2 usage
/// or a source that cannot be read.
struct DataBuildCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "build",
        abstract: "Build a LlamaFactory dataset from sources (JSON, JSONL, CSV, TSV, Parquet, Arrow, save_to_disk or dataset folders).",
        discussion: """
            Writes OUT (a JSON array) and its provenance manifest (OUT with .manifest.json: sources with SHA-256, \
            selection, mapping, counts). CSV, Parquet and dataset folders are read with the managed Python \
            environment's `datasets`. Exit status: 0 built, 1 no row could be built, 2 usage error or unreadable source.
            """
    )

    @Option(name: .customLong("source"), help: "A source file or dataset folder (repeatable).")
    var sources: [String] = []

    @Option(help: "alpaca, sharegpt or preference.")
    var format: String = DatasetFormat.alpaca.rawValue

    @Option(
        name: .customLong("map"),
        help: "A dataset field from source fields: instruction={question}, output=answer, ... (repeatable).")
    var mappings: [String] = []

    @Option(help: "The split of a multi-split dataset folder.")
    var split: String?

    @Option(name: .customLong("where"), help: "Keep rows where field=value, field!=value or field~text.")
    var condition: String?

    @Option(help: "A seeded sample of this many rows per source.")
    var sample: Int?

    @Option(help: "The sample's seed.")
    var seed: UInt64 = 0

    @Option(help: "At most this many rows per source.")
    var limit: Int?

    @Option(help: "Keep only rows whose answer passes SCORER (exact, numeric, regex, multiple_choice) against the row's FIELD: SCORER:FIELD, e.g. numeric:final_answer.")
    var verify: String?

    @Option(help: "The dataset file to write.")
    var out: String?

    @Flag(help: "Print the manifest as JSON.")
    var json = false

    func run() async throws {
        guard !sources.isEmpty else { throw CommandLineFailure.usage("name at least one --source FILE") }
        guard let out else { throw CommandLineFailure.usage("name the output: --out FILE.json") }
        guard let datasetFormat = DatasetFormat(rawValue: format) else {
            throw CommandLineFailure.usage("unknown --format \(format); use alpaca, sharegpt or preference")
        }
        var fields: [String: String] = [:]
        for mapping in mappings {
            let parts = mapping.split(separator: "=", maxSplits: 1).map(String.init)
            guard parts.count == 2 else { throw CommandLineFailure.usage("--map takes field=template, not '\(mapping)'") }
            fields[parts[0]] = parts[1]
        }
        let known: Set<String> = ["instruction", "input", "output", "system", "messages", "chosen", "rejected"]
        if let unknown = fields.keys.first(where: { !known.contains($0) }) {
            throw CommandLineFailure.usage("--map \(unknown)=…: the fields are \(known.sorted().joined(separator: ", "))")
        }
        let mapping = FieldMapping(
            instruction: fields["instruction"], input: fields["input"], output: fields["output"],
            system: fields["system"], messages: fields["messages"], chosen: fields["chosen"], rejected: fields["rejected"])
        let output = URL(fileURLWithPath: out)
        let built: DataConstruction.Built
        do {
            built = try await DataConstruction().build(
                name: output.deletingPathExtension().lastPathComponent, sources: sources.map { URL(fileURLWithPath: $0) },
                selection: DataSelection(split: split, where: condition, sample: sample, seed: seed, limit: limit),
                format: datasetFormat, mapping: mapping, verifier: try RowVerifier.parse(verify), output: output)
        } catch let error as DatasetBuildError {
            throw CommandLineFailure.usage("\(error)")
        }
        if json {
            try printJSON(built.manifest)
        } else {
            print("\(output.path): \(built.result.rows) row(s)")
            print(built.manifest.summary)
        }
        if built.result.rows == 0 { throw ExitCode(1) }
    }
}

/// `autotrainess data filter FILE --benchmark B --out FILE`: exit 0 written, 2 usage or I/O error.
struct DataFilterCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "filter",
        abstract: "Write a dataset without its contaminated, duplicate, near-duplicate and over-long rows.",
        discussion: "Counts of what was dropped and why are printed and kept in the manifest. Exit status: 0 written, 2 usage or I/O error."
    )

    @Argument(help: "The dataset to filter (JSON array or JSONL).")
    var file: String?

    @Option(help: "The benchmark's items, for the contamination check (JSONL or a JSON array).")
    var benchmark: String?

    @Option(help: "Comma-separated benchmark fields to index (default: question- and answer-like fields).")
    var fields: String?

    @Option(help: "What to drop, comma-separated: contamination, duplicate, near_duplicate, too_long (default all).")
    var drop: String = "contamination,duplicate,near_duplicate,too_long"

    @Option(help: "cutoff_len in tokens for too_long (estimated).")
    var cutoff: Int = 2048

    @Option(help: "Keep only rows whose answer passes SCORER (exact, numeric, regex, multiple_choice) against the row's FIELD: SCORER:FIELD, e.g. numeric:final_answer.")
    var verify: String?

    @Option(help: "The dataset file to write.")
    var out: String?

    @Flag(help: "Print the manifest as JSON.")
    var json = false

    func run() async throws {
        guard let file else { throw CommandLineFailure.usage("name the dataset: autotrainess data filter FILE") }
        guard let out else { throw CommandLineFailure.usage("name the output: --out FILE.json") }
        let kinds = Set(drop.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) })
        let allowed: Set<String> = ["contamination", "duplicate", "near_duplicate", "too_long"]
        guard kinds.isSubset(of: allowed) else {
            throw CommandLineFailure.usage("--drop takes \(allowed.sorted().joined(separator: ", "))")
        }
        let fieldList = fields.map { $0.split(separator: ",").map { String($0).trimmingCharacters(in: .whitespaces) } }
        let checker = try CommandLineFailure.guarding {
            try EngineDatasetChecker(benchmarkFile: benchmark.map { URL(fileURLWithPath: $0) }, fields: fieldList)
        }
        let output = URL(fileURLWithPath: out)
        let filtered: (outcome: DatasetFilter.Outcome, manifest: DatasetManifest)
        do {
            filtered = try await DataConstruction().filter(
                name: output.deletingPathExtension().lastPathComponent, source: URL(fileURLWithPath: file), kinds: kinds,
                cutoffLength: cutoff, checker: checker, verifier: try RowVerifier.parse(verify), output: output)
        } catch let error as DatasetBuildError {
            throw CommandLineFailure.usage("\(error)")
        }
        if json {
            try printJSON(filtered.manifest)
        } else {
            let outcome = filtered.outcome
            let dropped = outcome.dropped.sorted { $0.key < $1.key }.map { "\($0.value) \($0.key)" }
            print("\(output.path): \(outcome.rowsIn) -> \(outcome.kept.count) row(s); dropped "
                + (dropped.isEmpty ? "nothing" : dropped.joined(separator: ", ")))
        }
    }
}

/// `autotrainess data mix A.json:0.7 B.json:0.3 --total N --out FILE`: exit 0 written, 2 usage or I/O error.
struct DataMixCommand: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "mix",
        abstract: "Mix datasets by weight (shares of --total rows) or take all their rows, seeded.",
        discussion: "Each input is FILE or FILE:WEIGHT. Exit status: 0 written, 2 usage or I/O error."
    )

    @Argument(help: "Datasets to mix: FILE or FILE:WEIGHT.")
    var inputs: [String] = []

    @Option(help: "The mix's size in rows (needed with weights).")
    var total: Int?

    @Option(help: "The seed of the samples and the shuffle.")
    var seed: UInt64 = 0

    @Option(help: "The dataset file to write.")
    var out: String?

    func run() throws {
        guard !inputs.isEmpty else { throw CommandLineFailure.usage("name the datasets to mix: FILE[:WEIGHT]...") }
        guard let out else { throw CommandLineFailure.usage("name the output: --out FILE.json") }
        let parts = try inputs.map { input -> DataConstruction.MixInput in
            if let colon = input.lastIndex(of: ":"), let weight = Double(input[input.index(after: colon)...]) {
                return DataConstruction.MixInput(file: URL(fileURLWithPath: String(input[..<colon])), weight: weight)
            }
            guard FileManager.default.fileExists(atPath: input) else { throw CommandLineFailure.usage("no file \(input)") }
            return DataConstruction.MixInput(file: URL(fileURLWithPath: input))
        }
        let output = URL(fileURLWithPath: out)
        do {
            let (taken, sizes, _) = try DataConstruction().mix(
                name: output.deletingPathExtension().lastPathComponent, parts: parts, total: total, seed: seed,
                output: output)
            let shares = zip(parts, zip(taken, sizes)).map { "\($0.file.lastPathComponent) \($1.0)/\($1.1)" }
            print("\(output.path): \(taken.reduce(0, +)) row(s) (\(shares.joined(separator: ", ")); seed \(seed))")
        } catch let error as DatasetBuildError {
            throw CommandLineFailure.usage("\(error)")
        }
    }
}

extension RowVerifier {
    /// `--verify SCORER:FIELD`, or `nil` without it.
    /// - Throws: ``DatasetBuildError`` for a value that is not `SCORER:FIELD` with a known scorer.
    static func parse(_ option: String?) throws -> RowVerifier? {
        guard let option else { return nil }
        let parts = option.split(separator: ":", maxSplits: 1).map(String.init)
        guard parts.count == 2, !parts[1].isEmpty else {
            throw DatasetBuildError("--verify takes SCORER:FIELD, e.g. numeric:final_answer (not '\(option)')")
        }
        return try RowVerifier(scorer: parts[0], reference: parts[1])
    }
}
