public import Foundation

/// Reads inspect_ai JSON logs (`--log-format json`) and turns successful ones into `EvaluationReport`s.
///
/// `.eval` logs are ZIP archives compressed with zstd, which Foundation cannot open: convert them first with
/// `inspect log convert FILE --to json --output-dir DIR`, or run inspect with `--log-format json`.
public enum InspectLogReader {
    /// Reads the log at `url`, whatever its status.
    /// - Throws: `EvaluationError.logUnreadable` for a missing, empty, `.eval` or non-JSON file;
    ///   `EvaluationError.logMalformed` for JSON that is not an inspect log.
    public static func read(_ url: URL) throws -> InspectLog {
        let data: Data
        do {
            data = try Data(contentsOf: url)
        } catch {
            throw EvaluationError.logUnreadable(
                path: url.path, reason: "the file cannot be opened (\(error.localizedDescription))")
        }
        return try decode(data, path: url.path)
    }

    /// Decodes log bytes; `path` only names the source in errors.
    /// - Throws: see `read(_:)`.
    public static func decode(_ data: Data, path: String) throws -> InspectLog {
        if data.isEmpty {
            throw EvaluationError.logUnreadable(path: path, reason: "the file is empty")
        }
        if data.starts(with: [0x50, 0x4B, 0x03, 0x04]) {
            throw EvaluationError.logUnreadable(
                path: path,
                reason: "this is an inspect .eval archive (zstd ZIP); convert it with "
                    + "`inspect log convert \(path) --to json --output-dir DIR` or rerun with --log-format json")
        }
        // inspect writes non-finite floats as the bare tokens NaN, Infinity and -Infinity, which JSON forbids. They
        // are quoted before decoding and read back as floats. (Foundation's JSON5 mode would accept them, but on
        // Linux it rejects the `\u0000` escapes that a model's raw output can put into a log.)
        let decoder = JSONDecoder()
        decoder.nonConformingFloatDecodingStrategy = .convertFromString(
            positiveInfinity: "Infinity", negativeInfinity: "-Infinity", nan: "NaN")
        do {
            return try decoder.decode(InspectLog.self, from: NonFiniteTokens.quoted(in: data))
        } catch let error as DecodingError {
            if case .dataCorrupted(let context) = error, context.codingPath.isEmpty {
                throw EvaluationError.logUnreadable(path: path, reason: "not valid JSON (\(context.debugDescription))")
            }
            throw EvaluationError.logMalformed(path: path, reason: describe(error))
        } catch {
            throw EvaluationError.logUnreadable(path: path, reason: "not valid JSON (\(error.localizedDescription))")
        }
    }

    /// Builds the report of a successful log.
    /// - Parameters:
    ///   - log: a log read by `read(_:)`.
    ///   - path: where the log came from (for error messages).
    ///   - target: the model and label the report is for; its `limit` is recorded when the log has none.
    ///   - command: the command that produced the log (empty when unknown).
    ///   - durationSeconds: wall time of the evaluation; `nil` takes the sum of sample times.
    /// - Throws: `EvaluationError.evaluationNotSuccessful` for an errored, cancelled or unfinished log;
    ///   `EvaluationError.logMalformed` when results or the headline metric are missing.
    public static func report(
        from log: InspectLog, path: String, target: EvaluationTarget, command: [String] = [],
        durationSeconds: Double? = nil
    ) throws -> EvaluationReport {
        guard log.status == .success else {
            throw EvaluationError.evaluationNotSuccessful(
                path: path, status: log.status.rawValue, message: log.error?.message)
        }
        guard let results = log.results, let headline = headline(of: results) else {
            throw EvaluationError.logMalformed(path: path, reason: "status is success but the log has no scores")
        }
        let score = headline.score
        let reduced = log.reductions.first { $0.scorer == score.scorer || $0.scorer == score.name }?.values ?? [:]
        var seen = Set<String>()
        var samples: [SampleRecord] = []
        let ordered = log.samples.sorted { ($0.epoch, $0.id) < ($1.epoch, $1.id) }
        for sample in ordered where seen.insert(sample.id).inserted {
            let recorded = sample.scores[score.scorer] ?? sample.scores[score.name] ?? nil
            guard let value = reduced[sample.id] ?? recorded else {
                throw EvaluationError.logMalformed(
                    path: path, reason: "sample \(sample.id) has no numeric '\(score.scorer)' score")
            }
            samples.append(SampleRecord(
                id: sample.id, input: sample.input, target: sample.target, output: sample.completion, score: value,
                durationSeconds: sample.totalTime))
        }
        let stderr = score.metrics["stderr"].flatMap { $0.isFinite ? $0 : nil }
        var versions = log.eval.packages
        versions["inspect_log_version"] = String(log.version)
        return EvaluationReport(
            benchmark: log.eval.task, metric: headline.metric, score: headline.value, stderr: stderr,
            sampleCount: score.scoredSamples ?? results.completedSamples, limit: log.eval.limit ?? target.limit,
            samples: samples, command: command, versions: versions, modelPath: target.modelPath, label: target.label,
            durationSeconds: durationSeconds ?? samples.compactMap(\.durationSeconds).reduce(0, +))
    }

    /// The headline score and metric: the one inspect names, else the first metric that is not `stderr`.
    static func headline(of results: InspectLog.Results) -> (score: InspectLog.Score, metric: String, value: Double)? {
        if let named = results.headline, let scoreName = named.score, let metric = named.metric,
            let score = results.scores.first(where: { $0.name == scoreName }), let value = score.metrics[metric]
        {
            return (score, metric, value)
        }
        for score in results.scores {
            if let metric = score.metrics.keys.sorted().first(where: { $0 != "stderr" && $0 != "std" }),
                let value = score.metrics[metric]
            {
                return (score, metric, value)
            }
        }
        return nil
    }

    static func describe(_ error: DecodingError) -> String {
        func path(_ context: DecodingError.Context) -> String {
            let keys = context.codingPath.map { $0.intValue.map { "[\($0)]" } ?? $0.stringValue }
            return keys.isEmpty ? "top level" : keys.joined(separator: ".")
        }
        switch error {
        case .keyNotFound(let key, let context):
            return "missing field '\(key.stringValue)' at \(path(context))"
        case .typeMismatch(_, let context), .valueNotFound(_, let context), .dataCorrupted(let context):
            return "\(context.debugDescription) at \(path(context))"
        @unknown default:
            return error.localizedDescription
        }
    }
}
