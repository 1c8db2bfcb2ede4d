import AgentCore
import DataEngine
import Foundation
import Interfaces
import Runtime

/// `autotrainess-bench data [--megabytes N] [--items N]`: the data tool's throughput in rows per second: `build`
/// from a JSONL file and from the same rows as Parquet (read through the managed `datasets`), and `filter` of the
/// built set against a benchmark of N items (contamination, duplicates, lengths). One run, same files.
struct DataBenchmark {
    var megabytes = 100
    var items = 10_000

    static let usage = "  --megabytes N   size of the synthetic JSONL (default 100)\n  --items N       benchmark items (default 10000)"

    init(arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst().flatMap(Int.init), value > 0 else {
                throw BenchmarkUsageError("usage: autotrainess-bench data [options]\n\(Self.usage)")
            }
            switch flag {
            case "--megabytes": megabytes = value
            case "--items": items = value
            default: throw BenchmarkUsageError("usage: autotrainess-bench data [options]\n\(Self.usage)")
            }
        }
    }

    func run() async throws {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent(
            "autotrainess-bench-data-\(UUID().uuidString.prefix(8))", isDirectory: true)
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        var data = SyntheticData()
        data.makeItems(count: items)
        let benchmark = folder.appendingPathComponent("benchmark.jsonl")
        let jsonl = folder.appendingPathComponent("train.jsonl")
        let parquet = folder.appendingPathComponent("train.parquet")
        try data.writeBenchmark(to: benchmark)
        _ = try data.writeTraining(to: jsonl, bytes: megabytes << 20)
        let python = PythonEnvironment()
        try await python.ensure(progress: { print("[python] \($0)") })
        let convert = try await ProcessRunner.run(
            ProcessSpec(
                executable: python.pythonExecutable.path,
                arguments: ["-c", "import sys, pyarrow.json as j, pyarrow.parquet as p; p.write_table(j.read_json(sys.argv[1]), sys.argv[2])",
                            jsonl.path, parquet.path],
                environment: python.processEnvironment()))
        guard convert.exitCode == 0 else { throw BenchmarkUsageError("parquet conversion failed: \(convert.outputTail.suffix(3))") }

        let construction = DataConstruction(sources: SourceReader(python: python))
        let mapping = FieldMapping(instruction: "{instruction}", output: "{output}")
        print("data tool throughput: \(megabytes) MB of alpaca JSONL, benchmark of \(items) items")
        var rows = 0
        for (label, source) in [("build from JSONL", jsonl), ("build from Parquet", parquet)] {
            let start = ContinuousClock.now
            let built = try await construction.build(
                name: "bench", sources: [source], selection: DataSelection(), format: .alpaca, mapping: mapping,
                output: folder.appendingPathComponent("built-\(source.pathExtension).json"))
            let seconds = Self.seconds(since: start)
            rows = built.result.rows
            print(String(format: "  %-20@ %8d rows in %7.2f s: %9.0f rows/s", label as NSString, rows, seconds, Double(rows) / seconds))
        }
        let checker = try EngineDatasetChecker(benchmarkFile: benchmark, fields: ["question", "answer"])
        let start = ContinuousClock.now
        let filtered = try await construction.filter(
            name: "filtered", source: folder.appendingPathComponent("built-jsonl.json"),
            kinds: ["contamination", "duplicate", "near_duplicate", "too_long"], cutoffLength: 2048, checker: checker,
            output: folder.appendingPathComponent("filtered.json"))
        let seconds = Self.seconds(since: start)
        print(String(format: "  %-20@ %8d rows in %7.2f s: %9.0f rows/s (dropped %@)", "filter" as NSString, rows, seconds,
                     Double(rows) / seconds, filtered.outcome.dropped.description as NSString))
    }

    static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }
}
