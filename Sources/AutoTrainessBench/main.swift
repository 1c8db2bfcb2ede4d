import Foundation

/// `autotrainess-bench`: performance benchmarks, run in release mode (`swift run -c release autotrainess-bench …`).
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "contamination":
        try ContaminationBenchmark(arguments: Array(arguments.dropFirst())).run()
    case "training":
        try await TrainingBenchmark(arguments: Array(arguments.dropFirst())).run()
    case "data":
        try await DataBenchmark(arguments: Array(arguments.dropFirst())).run()
    case "parallel":
        try await ParallelBenchmark(arguments: Array(arguments.dropFirst())).run()
    case "sandbox":
        try await SandboxBenchmark(arguments: Array(arguments.dropFirst())).run()
    case "scan" where arguments.count == 3:
        try ContaminationBenchmark.scanOnly(benchmark: arguments[1], train: arguments[2])
    default:
        print("usage: autotrainess-bench contamination [options]\n\(ContaminationBenchmark.usage)")
        print("       autotrainess-bench training [options]\n\(TrainingBenchmark.usage)")
        print("       autotrainess-bench parallel [options]    (two training jobs in sequence vs at once)\n\(ParallelBenchmark.usage)")
        print("       autotrainess-bench sandbox [--calls N]    (run_command overhead of the shell sandbox)")
        print("       autotrainess-bench data [options]    (data tool rows/s: build from JSONL and Parquet, filter)\n\(DataBenchmark.usage)")
        print("       autotrainess-bench scan BENCHMARK TRAIN    (time one Swift scan of your own files)")
        exit(arguments.isEmpty ? 0 : 2)
    }
} catch {
    FileHandle.standardError.write(Data("autotrainess-bench: \(error)\n".utf8))
    exit(2)
}
