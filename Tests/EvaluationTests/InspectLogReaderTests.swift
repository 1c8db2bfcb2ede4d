import Evaluation
import Foundation
import Testing

@Suite("InspectLogReader on committed real inspect logs")
struct InspectLogReaderTests {
    let target = EvaluationTarget(modelPath: "/models/candidate", label: "candidate")

    @Test("a successful log yields status, metrics, and every sample with its score")
    func readsSuccessfulLog() throws {
        let log = try InspectLogReader.read(Fixtures.url("inspect/success.json"))
        #expect(log.status == .success)
        #expect(log.eval.task == "arith")
        #expect(log.eval.packages["inspect_ai"] == "0.3.285")
        #expect(log.results?.completedSamples == 3)
        #expect(log.samples.count == 3)
        let first = try #require(log.samples.first { $0.id == "a1" })
        #expect(first.input == "What is 1+1? Answer with a number.")
        #expect(first.target == "2")
        #expect(!first.completion.isEmpty)
        #expect(first.scores["match"] == .some(0))
        // Sample 3 has an integer id in the log.
        #expect(log.samples.contains { $0.id == "3" })
    }

    @Test("a successful log becomes a report with the headline metric and stderr")
    func successfulLogBecomesReport() throws {
        let url = Fixtures.url("inspect/success.json")
        let report = try InspectLogReader.report(
            from: InspectLogReader.read(url), path: url.path, target: target, command: ["inspect", "eval"])
        #expect(report.benchmark == "arith")
        #expect(report.metric == "accuracy")
        #expect(report.score == 0)
        #expect(report.stderr == 0)
        #expect(report.sampleCount == 3)
        #expect(report.samples.map(\.id).sorted() == ["3", "a1", "a2"])
        #expect(report.samples.allSatisfy { $0.durationSeconds != nil })
        #expect(report.modelPath == "/models/candidate")
        #expect(report.versions["inspect_ai"] == "0.3.285")
        #expect(report.command == ["inspect", "eval"])
    }

    @Test("an errored log reads, but refuses to become a report and names the error")
    func erroredLogIsNotAReport() throws {
        let url = Fixtures.url("inspect/error.json")
        let log = try InspectLogReader.read(url)
        #expect(log.status == .error)
        #expect(log.results == nil)
        #expect(log.error?.message.contains("solver failed on purpose") == true)
        #expect(throws: EvaluationError.self) {
            try InspectLogReader.report(from: log, path: url.path, target: target)
        }
        do {
            _ = try InspectLogReader.report(from: log, path: url.path, target: target)
        } catch let error as EvaluationError {
            guard case .evaluationNotSuccessful(_, let status, let message) = error else {
                Issue.record("unexpected error \(error)")
                return
            }
            #expect(status == "error")
            #expect(message?.contains("solver failed on purpose") == true)
        }
    }

    @Test("empty, missing, non-JSON, .eval and foreign JSON files each fail with a typed error")
    func badFiles() throws {
        let folder = try Fixtures.temporaryDirectory()
        defer { try? FileManager.default.removeItem(at: folder) }
        let cases: [(String, Data, Bool)] = [
            ("empty.json", Data(), true),
            ("garbage.json", Data("{not json".utf8), true),
            ("archive.eval", Data([0x50, 0x4B, 0x03, 0x04, 0x14, 0x00]), true),
            ("foreign.json", Data(#"{"hello": "world"}"#.utf8), false),
            ("badstatus.json", Data(#"{"status": "exploded", "eval": {}}"#.utf8), false),
        ]
        for (name, bytes, unreadable) in cases {
            let url = folder.appendingPathComponent(name)
            try bytes.write(to: url)
            do {
                _ = try InspectLogReader.read(url)
                Issue.record("\(name) was accepted")
            } catch let error as EvaluationError {
                switch error {
                case .logUnreadable(let path, _): #expect(unreadable, "\(name): \(error)"); #expect(path == url.path)
                case .logMalformed(let path, _): #expect(!unreadable, "\(name): \(error)"); #expect(path == url.path)
                default: Issue.record("\(name): unexpected \(error)")
                }
            }
        }
        #expect(throws: EvaluationError.self) { try InspectLogReader.read(folder.appendingPathComponent("none.json")) }
    }

    @Test("NaN and Infinity metric values (inspect's bare tokens) decode")
    func nonFiniteMetrics() throws {
        let text = try String(contentsOf: Fixtures.url("inspect/success.json"), encoding: .utf8)
            .replacingOccurrences(
                of: #""name": "stderr",\s*"value": 0.0"#, with: #""name": "stderr", "value": NaN"#,
                options: .regularExpression)
        #expect(text.contains("NaN"))
        let log = try InspectLogReader.decode(Data(text.utf8), path: "nan.json")
        let stderr = try #require(log.results?.scores.first?.metrics["stderr"])
        #expect(stderr.isNaN)
        let report = try InspectLogReader.report(from: log, path: "nan.json", target: target)
        #expect(report.stderr == nil)
    }

    @Test("a real log whose model output holds a NUL character (a \\u0000 escape) reads")
    func realNulLog() throws {
        let log = try InspectLogReader.read(Fixtures.url("inspect/success_nul_output.json"))
        #expect(log.status == .success)
        #expect(log.samples.contains { $0.completion.contains("\u{0}") })
    }

    @Test("NUL escapes in a model's output decode alongside non-finite metrics")
    func nulEscapes() throws {
        let text = try String(contentsOf: Fixtures.url("inspect/success.json"), encoding: .utf8)
            .replacingOccurrences(
                of: #""name": "stderr",\s*"value": 0.0"#, with: #""name": "stderr", "value": -Infinity"#,
                options: .regularExpression)
            .replacingOccurrences(of: #""target": "2""#, with: #""target": "2\u0000 NaN \"Infinity\"""#)
        let log = try InspectLogReader.decode(Data(text.utf8), path: "nul.json")
        #expect(log.results?.scores.first?.metrics["stderr"] == -.infinity)
        #expect(log.samples.first { $0.id == "a1" }?.target == "2\u{0} NaN \"Infinity\"")
    }

    @Test("score values: letters, numbers, booleans and numeric text", arguments: [
        (#""C""#, 1.0), (#""I""#, 0.0), (#""P""#, 0.5), (#""N""#, 0.0), ("0.25", 0.25), ("1", 1.0),
        ("true", 1.0), (#""0.75""#, 0.75), (#""yes""#, 1.0),
    ])
    func scoreValues(json: String, expected: Double) throws {
        let sample = """
            {"id": 7, "epoch": 1, "input": [{"role": "user", "content": [{"type": "text", "text": "hi"}]}],
             "target": ["a", "b"], "output": {"completion": "x"}, "scores": {"s": {"value": \(json)}}}
            """
        let decoded = try JSONDecoder().decode(InspectLog.Sample.self, from: Data(sample.utf8))
        #expect(decoded.scores["s"] == .some(expected))
        #expect(decoded.id == "7")
        #expect(decoded.input == "user: hi")
        #expect(decoded.target == "a | b")
    }
}

@Suite("InspectLogSummary")
struct InspectLogSummaryTests {
    @Test("summarises status, metrics and counts of the real logs")
    func summaries() throws {
        let success = Fixtures.url("inspect/success.json")
        let summary = InspectLogSummary(log: try InspectLogReader.read(success), path: success.path)
        #expect(summary.status == .success)
        #expect(summary.headlineMetric == "accuracy")
        #expect(summary.metrics["match"]?["stderr"] == 0)
        #expect(summary.sampleCount == 3)
        #expect(summary.description.contains("status: success"))

        let error = Fixtures.url("inspect/error.json")
        let failed = InspectLogSummary(log: try InspectLogReader.read(error), path: error.path)
        #expect(failed.status == .error)
        #expect(failed.metrics.isEmpty)
        #expect(failed.error?.contains("solver failed on purpose") == true)
    }
}
