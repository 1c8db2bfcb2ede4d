import DataEngine
import Foundation
import Interfaces

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

/// `autotrainess-bench contamination`: the Swift contamination scan against the shipped Python reference of
/// the same 13-gram check, on synthetic data, in one run.
struct ContaminationBenchmark {
    /// Training-set sizes in megabytes (10^6 bytes).
    var trainMegabytes: [Int] = [1000]
    /// Python scans at most this many megabytes of each training file (a prefix of whole lines).
    var pythonMegabytes = 200
    /// The Python interpreter.
    var python = "python3"
    /// Benchmark items to generate.
    var benchmarkItems = 10_000
    /// Scan workers (`nil`: every core).
    var workers: Int?
    /// Where to write the generated files and keep them (default: a temporary folder, removed at the end).
    var keepDirectory: String?

    static let usage = """
        usage: autotrainess-bench contamination [--train-mb N[,N...]] [--python-mb N] [--python PATH]
                                                [--items N] [--workers N] [--keep-dir DIR]
        """

    init(arguments: [String]) throws {
        var rest = arguments[...]
        while let flag = rest.popFirst() {
            guard let value = rest.popFirst() else { throw BenchmarkError.usage("\(flag) needs a value") }
            switch flag {
            case "--train-mb":
                trainMegabytes = try value.split(separator: ",").map { try Self.positive(String($0), flag) }
            case "--python-mb": pythonMegabytes = try Self.positive(value, flag)
            case "--python": python = value
            case "--items": benchmarkItems = try Self.positive(value, flag)
            case "--workers": workers = try Self.positive(value, flag)
            case "--keep-dir": keepDirectory = value
            default: throw BenchmarkError.usage("unknown option \(flag)")
            }
        }
    }

    private static func positive(_ text: String, _ flag: String) throws -> Int {
        guard let value = Int(text), value > 0 else { throw BenchmarkError.usage("\(flag) wants a positive number") }
        return value
    }

    func run() throws {
        let directory =
            keepDirectory.map { URL(fileURLWithPath: $0) }
            ?? FileManager.default.temporaryDirectory
            .appendingPathComponent("autotrainess-bench-\(ProcessInfo.processInfo.processIdentifier)")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { if keepDirectory == nil { try? FileManager.default.removeItem(at: directory) } }
        let reference = try Self.referenceScript()
        var data = SyntheticData()
        let benchmarkURL = directory.appendingPathComponent("benchmark.jsonl")
        data.makeItems(count: benchmarkItems)
        try data.writeBenchmark(to: benchmarkURL)

        let indexStart = ContinuousClock.now
        let index = try ContaminationIndex(
            benchmarkFile: benchmarkURL, fields: ["question", "answer"], options: ContaminationOptions(workers: workers)
        )
        print(
            "benchmark: \(index.itemCount) items, \(index.ngramCount) distinct 13-grams, index built in "
                + "\(Self.format(Self.seconds(since: indexStart))) s, about \(index.memoryBytes / 1_000_000) MB")
        print(
            "cores: \(ProcessInfo.processInfo.activeProcessorCount), scan workers: "
                + "\(workers.map(String.init) ?? "all cores"); Python: \(python) (single process, as written)")

        var speedups: [Double] = []
        for megabytes in trainMegabytes {
            var sizeData = SyntheticData()
            sizeData.makeItems(count: benchmarkItems)
            let trainURL = directory.appendingPathComponent("train-\(megabytes)mb.jsonl")
            let planted = try sizeData.writeTraining(to: trainURL, bytes: megabytes * 1_000_000)
            let size = try FileManager.default.attributesOfItem(atPath: trainURL.path)[.size] as? Int ?? 0

            PeakMemory.reset()
            let cpuBefore = Self.cpuSeconds()
            let report = try index.scan(trainingFile: trainURL)
            let swiftCPU = Self.cpuSeconds() - cpuBefore
            let swiftPeak = PeakMemory.currentPeakKilobytes()
            let swiftRate = Double(size) / 1e6 / report.seconds

            let limit = min(size, pythonMegabytes * 1_000_000)
            let pythonResult = try runPython(reference, benchmark: benchmarkURL, train: trainURL, limit: limit)
            let speedup = swiftRate / pythonResult.megabytesPerSecond
            speedups.append(speedup)

            let swiftPerCPU = Double(size) / 1e6 / swiftCPU
            print("")
            print(
                "training set \(Self.format(Double(size) / 1e9)) GB (\(report.scannedSamples) samples, "
                    + "\(planted) planted contaminations)")
            print(
                "  swift : \(Self.format(report.seconds)) s wall, \(Self.format(swiftRate)) MB/s, "
                    + "\(Self.format(swiftCPU)) s CPU (\(Self.format(swiftPerCPU)) MB per CPU-second), "
                    + "peak RSS \(swiftPeak / 1024) MB (VmHWM), \(report.contaminatedSamples) contaminated samples, "
                    + "\(report.hitCount) hits")
            let prefixNote =
                pythonResult.bytes < size
                ? "first \(Self.format(Double(pythonResult.bytes) / 1e6)) MB only (to keep the run short)"
                : "whole file"
            let pythonPerCPU = Double(pythonResult.bytes) / 1e6 / pythonResult.cpuSeconds
            print(
                "  python: \(Self.format(pythonResult.seconds)) s wall over the \(prefixNote), "
                    + "\(Self.format(pythonResult.megabytesPerSecond)) MB/s, "
                    + "\(Self.format(pythonResult.cpuSeconds)) s CPU (\(Self.format(pythonPerCPU)) MB per CPU-second), "
                    + "peak RSS \(pythonResult.maxRSSKilobytes / 1024) MB "
                    + "(ru_maxrss), \(pythonResult.contaminated) contaminated samples")
            if pythonResult.bytes >= size {
                let agree = pythonResult.contaminated == report.contaminatedSamples ? "agree" : "DISAGREE"
                print(
                    "  same file, same answer: swift \(report.contaminatedSamples) vs python "
                        + "\(pythonResult.contaminated) contaminated samples (\(agree))")
            }
            print(
                "  speedup (wall-clock MB/s ratio): \(Self.format(speedup))x; per CPU-second: "
                    + "\(Self.format(swiftPerCPU / pythonPerCPU))x")
            if keepDirectory == nil { try? FileManager.default.removeItem(at: trainURL) }
        }
        print("")
        print("speedup_vs_python: \(Self.format(speedups.last ?? 0))")
    }

    /// Times one scan of existing files (fields: the index's defaults).
    static func scanOnly(benchmark: String, train: String) throws {
        let index = try ContaminationIndex(benchmarkFile: URL(fileURLWithPath: benchmark))
        PeakMemory.reset()
        let cpuBefore = cpuSeconds()
        let report = try index.scan(trainingFile: URL(fileURLWithPath: train))
        let cpu = cpuSeconds() - cpuBefore
        let megabytes = Double(report.scannedBytes) / 1e6
        print(
            "scan: \(format(megabytes)) MB, \(report.scannedSamples) samples in \(format(report.seconds)) s wall "
                + "(\(format(megabytes / report.seconds)) MB/s), \(format(cpu)) s CPU, peak RSS "
                + "\(PeakMemory.currentPeakKilobytes() / 1024) MB; \(report.contaminatedSamples) contaminated samples")
    }

    private struct PythonResult {
        var bytes: Int
        var seconds: Double
        var megabytesPerSecond: Double
        var contaminated: Int
        var maxRSSKilobytes: Int
        var cpuSeconds: Double
    }

    private func runPython(_ script: URL, benchmark: URL, train: URL, limit: Int) throws -> PythonResult {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = [
            python, script.path, benchmark.path, train.path, "--fields", "question,answer", "--limit-bytes", "\(limit)",
        ]
        let pipe = Pipe()
        process.standardOutput = pipe
        try process.run()
        let output = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        guard process.terminationStatus == 0,
            let object = try JSONSerialization.jsonObject(with: output) as? [String: Any],
            let bytes = object["bytes"] as? Int, let seconds = object["seconds"] as? Double,
            let rate = object["mb_per_s"] as? Double, let contaminated = object["contaminated_samples"] as? Int,
            let rss = object["max_rss_kb"] as? Int, let cpu = object["cpu_seconds"] as? Double
        else { throw BenchmarkError.python("the Python reference failed (exit \(process.terminationStatus))") }
        return PythonResult(
            bytes: bytes, seconds: seconds, megabytesPerSecond: rate, contaminated: contaminated, maxRSSKilobytes: rss,
            cpuSeconds: cpu)
    }

    /// `Benchmarks/contamination_reference.py`, found from this source file or the working directory.
    private static func referenceScript() throws -> URL {
        let candidates = [
            URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("Benchmarks/contamination_reference.py"),
            URL(fileURLWithPath: FileManager.default.currentDirectoryPath)
                .appendingPathComponent("Benchmarks/contamination_reference.py"),
        ]
        guard let found = candidates.first(where: { FileManager.default.fileExists(atPath: $0.path) }) else {
            throw BenchmarkError.python("Benchmarks/contamination_reference.py not found; run from the package root")
        }
        return found
    }

    /// CPU seconds this process has used, all threads together.
    private static func cpuSeconds() -> Double {
        var time = timespec()
        clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &time)
        return Double(time.tv_sec) + Double(time.tv_nsec) / 1e9
    }

    private static func seconds(since start: ContinuousClock.Instant) -> Double {
        let elapsed = ContinuousClock.now - start
        return Double(elapsed.components.seconds) + Double(elapsed.components.attoseconds) / 1e18
    }

    static func format(_ value: Double) -> String { String(format: "%.2f", value) }
}

/// Why the benchmark could not run.
enum BenchmarkError: Error, CustomStringConvertible {
    case usage(String)
    case python(String)

    var description: String {
        switch self {
        case .usage(let message): "\(message)\n\(ContaminationBenchmark.usage)"
        case .python(let message): message
        }
    }
}

/// Peak resident memory of this process, from `/proc/self/status` (Linux).
enum PeakMemory {
    /// Resets the peak (`VmHWM`) to the current resident size, so that the next reading covers only what follows.
    static func reset() {
        try? "5".write(toFile: "/proc/self/clear_refs", atomically: false, encoding: .utf8)
    }

    /// `VmHWM` in kilobytes, or 0 where `/proc` is absent.
    static func currentPeakKilobytes() -> Int {
        guard let status = try? String(contentsOfFile: "/proc/self/status", encoding: .utf8) else { return 0 }
        let line = status.split(separator: "\n").first { $0.hasPrefix("VmHWM:") }
        return line.flatMap { Int($0.split(separator: " ").dropFirst().first ?? "") } ?? 0
    }
}
