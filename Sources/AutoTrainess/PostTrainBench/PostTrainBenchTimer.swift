public import Foundation
import Runtime

/// A PostTrainBench task's `timer.sh`: the time left, as the benchmark's `create_timer.sh` writes it.
///
/// The script prints `Remaining time (hours:minutes):` then `H:MM` (hours not padded), or `Timer expired!`
/// after the deadline; it always exits 0.
public enum PostTrainBenchTimer {
    /// What one reading of the timer said.
    public enum Reading: Sendable, Hashable {
        /// Time left, in seconds (minute resolution).
        case remaining(Double)
        /// The deadline has passed.
        case expired
    }

    /// Parses the script's output.
    /// - Returns: `nil` when the output is neither a time nor `Timer expired!`.
    public static func parse(_ output: String) -> Reading? {
        if output.contains("Timer expired!") { return .expired }
        for line in output.split(whereSeparator: \.isNewline).reversed() {
            let parts = line.trimmingCharacters(in: .whitespaces).split(separator: ":")
            guard parts.count == 2, let hours = Int(parts[0]), let minutes = Int(parts[1]), hours >= 0,
                (0..<60).contains(minutes), parts[1].count == 2
            else { continue }
            return .remaining(Double(hours * 3600 + minutes * 60))
        }
        return nil
    }

    /// Runs `bash timer.sh` in `taskDirectory` and parses what it prints.
    /// - Throws: ``PostTrainBenchError/timerUnreadable(path:output:)`` when it prints something else or cannot run.
    public static func read(taskDirectory: URL) async throws -> Reading {
        let script = taskDirectory.appendingPathComponent("timer.sh")
        let spec = ProcessSpec(
            executable: "/bin/bash", arguments: [script.path], environment: ProcessInfo.processInfo.environment,
            workingDirectory: taskDirectory, deadline: Date().addingTimeInterval(30))
        let outcome = try await ProcessRunner.run(spec)
        let output = outcome.outputTail.joined(separator: "\n")
        guard let reading = parse(output) else {
            throw PostTrainBenchError.timerUnreadable(path: script.path, output: String(output.suffix(300)))
        }
        return reading
    }
}
