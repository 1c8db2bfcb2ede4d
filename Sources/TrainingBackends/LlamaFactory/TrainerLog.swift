import AgentCore
public import Foundation

/// Reads LlamaFactory's `trainer_log.jsonl`: one JSON object per logging step, appended by rank 0.
///
/// Keys are present only when non-null: always `current_steps`, `total_steps`, `epoch`, `percentage`,
/// `elapsed_time` and `remaining_time` (`"H:MM:SS"`, or `"1 day, H:MM:SS"`); per stage `loss`, `lr` (or
/// `learning_rate`), `eval_loss` on a separate line, `accuracy`, `reward`. The last line has no `loss`.
public enum TrainerLog {
    /// The progress one line reports, or `nil` for a line that is not a progress record.
    public static func progress(fromLine line: String) -> TrainingProgress? {
        guard let value = try? JSONValue(parsing: line), let object = value.objectValue,
            let step = object["current_steps"]?.intValue, let total = object["total_steps"]?.intValue
        else {
            return nil
        }
        return TrainingProgress(
            step: step,
            totalSteps: total,
            loss: object["loss"]?.doubleValue,
            learningRate: object["lr"]?.doubleValue ?? object["learning_rate"]?.doubleValue,
            elapsedSeconds: object["elapsed_time"]?.stringValue.flatMap(seconds(fromDuration:)),
            remainingSeconds: object["remaining_time"]?.stringValue.flatMap(seconds(fromDuration:))
        )
    }

    /// Every progress record of a whole log file's text.
    public static func progress(fromText text: String) -> [TrainingProgress] {
        text.split(separator: "\n").compactMap { progress(fromLine: String($0)) }
    }

    /// Seconds in a Python `timedelta` string: `"0:00:03"`, `"12:03:04"`, `"2 days, 1:00:00"`.
    public static func seconds(fromDuration text: String) -> Double? {
        var days = 0.0
        var clock = Substring(text.trimmingCharacters(in: .whitespaces))
        if let comma = clock.firstIndex(of: ",") {
            guard let count = Double(clock[..<comma].split(separator: " ").first ?? "") else { return nil }
            days = count
            clock = clock[clock.index(after: comma)...].drop { $0 == " " }
        }
        let parts = clock.split(separator: ":").map { Double($0) }
        guard parts.count == 3, let hours = parts[0], let minutes = parts[1], let seconds = parts[2] else {
            return nil
        }
        return days * 86_400 + hours * 3_600 + minutes * 60 + seconds
    }

    /// The last step `trainer_log.jsonl` reached, or `nil` when it has no step.
    public static func lastStep(in url: URL) -> Int? {
        (try? String(contentsOf: url, encoding: .utf8)).flatMap { progress(fromText: $0).last?.step }
    }

    /// The numeric entries of a results file such as `all_results.json`.
    public static func metrics(fromResultsFile url: URL) -> [String: Double] {
        guard let data = try? Data(contentsOf: url), let text = String(data: data, encoding: .utf8),
            let object = (try? JSONValue(parsing: text))?.objectValue
        else {
            return [:]
        }
        return object.compactMapValues { $0.doubleValue }
    }
}

/// Follows a growing `trainer_log.jsonl`, returning the complete lines added since the last read.
public struct TrainerLogTail: Sendable {
    /// The file followed.
    public let file: URL
    private var offset: UInt64 = 0
    private var partial = Data()

    /// Follows `file`, which may not exist yet.
    public init(file: URL) {
        self.file = file
    }

    /// The progress records appended since the previous call.
    public mutating func read() -> [TrainingProgress] {
        guard let handle = try? FileHandle(forReadingFrom: file) else {
            return []
        }
        defer { try? handle.close() }
        let size = (try? handle.seekToEnd()) ?? 0
        if size < offset {
            // The file was recreated (LlamaFactory deletes it when overwrite_output_dir is set).
            offset = 0
            partial = Data()
        }
        guard (try? handle.seek(toOffset: offset)) != nil, let data = try? handle.readToEnd(), !data.isEmpty else {
            return []
        }
        offset += UInt64(data.count)
        partial.append(data)
        guard let lastNewline = partial.lastIndex(of: UInt8(ascii: "\n")) else {
            return []
        }
        let complete = partial[partial.startIndex...lastNewline]
        partial = Data(partial[partial.index(after: lastNewline)...])
        return TrainerLog.progress(fromText: String(decoding: complete, as: UTF8.self))
    }
}
