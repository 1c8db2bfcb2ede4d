import Foundation

/// `autotrainess-bench`: performance benchmarks, run in release mode (`swift run -c release autotrainess-bench …`).
let arguments = Array(CommandLine.arguments.dropFirst())
do {
    switch arguments.first {
    case "contamination":
        try ContaminationBenchmark(arguments: Array(arguments.dropFirst())).run()
    default:
        print("usage: autotrainess-bench contamination [options]\n\(ContaminationBenchmark.usage)")
        exit(arguments.isEmpty ? 0 : 2)
    }
} catch {
    FileHandle.standardError.write(Data("autotrainess-bench: \(error)\n".utf8))
    exit(2)
}
