import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Testing

@testable import Reporting

/// The report of real run folders, checked from its value and from the HTML a person opens.
@Suite struct RunReportTests {
    static let fixtures = URL(fileURLWithPath: #filePath).deletingLastPathComponent().appendingPathComponent("Fixtures")
    static let quickDemo010 = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("AutoTrainessTests/Fixtures/run-0.1.0")

    @Test func theMultiIterationRunShowsEveryScoreDecisionFailureAndDenial() throws {
        let report = try RunReport.load(runDirectory: Self.fixtures.appendingPathComponent("run-iterations"))
        #expect(report.finished)
        #expect(report.scores.map(\.label) == ["baseline", "iter1", "iter2", "iter3"])
        #expect(report.scores.map(\.decision) == [.baseline, .keep, .discard, .keep])
        let expected: [Double] = [12, 40, 13, 55].map { $0 / 60 }
        #expect(report.scores.map(\.score) == expected)
        let best: [Double] = [12, 40, 40, 55].map { $0 / 60 }
        #expect(report.scores.map(\.runningBest) == best)
        for point in report.scores { #expect(point.low <= point.score && point.score <= point.high) }
        #expect(report.headline.submission == "iter3-job1")
        #expect(report.headline.baseline?.score == 0.2 && report.headline.best?.label == "iter3")
        #expect(report.losses.map(\.jobID) == ["iter1-job1", "iter1-job2", "iter2-job1", "iter3-job1"])
        #expect(report.losses[0].outcome.hasPrefix("failed") && report.losses[1].outcome == "finished")
        #expect(report.losses[1].points.count == 4)
        #expect(report.lineage.map(\.id) == ["base", "iter1-job2", "iter2-job1", "iter3-job1"])
        #expect(report.lineage.first { $0.id == "iter2-job1" }?.parent == "iter1-job2")
        #expect(report.lineage.filter(\.promoted).map(\.id) == ["base", "iter1-job2", "iter3-job1"])
        #expect(report.data.map(\.dataset) == ["d1", "d2", "d3"] && report.data.allSatisfy { $0.verdict == "approve" })
        let kinds = report.events.map(\.kind)
        #expect(kinds.filter { $0 == .denial }.count == 1)
        #expect(kinds.filter { $0 == .failure }.count == 1)
        #expect(report.events.contains { $0.kind == .failure && $0.detail.contains("CUDA out of memory") })
        #expect(kinds.last == .end)
        let iter3 = try #require(report.evaluations.first { $0.label == "iter3" })
        #expect(iter3.picked.count == 15)
        #expect(iter3.changed.count == 55 - 12 && iter3.changed.allSatisfy { $0.candidateScore > $0.baselineScore })
        #expect(report.budget.samples.count > 3 && report.budget.elapsed > 0)
        #expect(report.budget.training == 3 * 240 && report.budget.evaluation == 4 * 120)
        #expect(report.budget.agent > 0)
        #expect(report.events.map(\.secondsFromStart) == report.events.map(\.secondsFromStart).sorted())
    }

    @Test func thePageCarriesTheNumbersLabelsAndPointsOfTheRun() throws {
        let report = try RunReport.load(runDirectory: Self.fixtures.appendingPathComponent("run-iterations"))
        let page = ReportPage(report)
        let html = page.html
        for text in [
            "Score per evaluation", "0.200", "0.667", "0.217", "0.917", "iter3-job1", "(final_model/)",
            "Denied train (rule: approved data before train)", "Training iter1-job1 failed", "CUDA out of memory",
            "Promoted iter1-job2", "Not promoted iter2-job1", "d2", "approve", "Changed against the baseline",
        ] {
            #expect(html.contains(HTMLTextForTests.escape(text)), "the page lacks '\(text)'")
        }
        // Each chart draws a circle per point it says it has.
        for chart in [page.scoreChart, page.lossChart, page.budgetChart] {
            let svg = chart.svg
            let circles = svg.components(separatedBy: "<circle class=\"point").count - 1
            #expect(circles == chart.pointCount && svg.contains("data-points=\"\(chart.pointCount)\""), "\(chart.id)")
        }
        #expect(page.scoreChart.pointCount == 4)
        #expect(page.lossChart.pointCount == report.losses.reduce(0) { $0 + $1.points.count })
        // The embedded data is the report, whole.
        let start = try #require(html.range(of: "<script type=\"application/json\" id=\"run-data\">"))
        let end = try #require(html.range(of: "</script>", range: start.upperBound..<html.endIndex))
        let json = String(html[start.upperBound..<end.lowerBound]).replacingOccurrences(of: "<\\/", with: "</")
        let decoder = JSONDecoder()
        decoder.dateDecodingStrategy = .iso8601
        let embedded = try decoder.decode(RunReport.self, from: Data(json.utf8))
        #expect(embedded.scores == report.scores && embedded.headline == report.headline)
        #expect(!html.contains("http://") && !html.contains("https://"), "the page must not reach the network")
    }

    @Test func aQuickDemoRunFolderFrom010Renders() throws {
        let report = try RunReport.load(runDirectory: Self.quickDemo010)
        #expect(report.scores.map(\.label) == ["baseline", "iter1"])
        #expect(report.scores.map(\.decision) == [.baseline, .keep])
        #expect(report.headline.submission == "iter1-job1")
        #expect(report.losses.count == 1 && report.losses[0].points.count == 9)
        #expect(report.headline.budgetSeconds == 1200 && report.headline.reserveSeconds == 120)
        let html = ReportPage(report).html
        #expect(html.contains("number-words") || html.contains("demo"))
        #expect(html.contains("iter1-job1"))
    }

    @Test func aRunInProgressGivesAPartialPage() throws {
        let directory = try TemporaryDirectory()
        let run = directory.path("run")
        try FileManager.default.copyItem(at: Self.fixtures.appendingPathComponent("run-iterations"), to: run)
        // Cut the records after the first training job started.
        let events = run.appendingPathComponent("events.jsonl")
        let lines = try String(contentsOf: events, encoding: .utf8).split(separator: "\n")
        let cut = try #require(lines.firstIndex { $0.contains("\"kind\":\"train.started\"") })
        try Data((lines[...cut].joined(separator: "\n") + "\n").utf8).write(to: events)
        let report = try RunReport.load(runDirectory: run)
        #expect(!report.finished && report.scores.map(\.label) == ["baseline"])
        #expect(report.losses.map(\.outcome) == ["running"])
        #expect(report.headline.submission == "base")
        let html = ReportPage(report, refreshSeconds: 5).html
        #expect(html.contains("in progress") && html.contains("http-equiv=\"refresh\" content=\"5\""))
        #expect(!ReportPage(try RunReport.load(runDirectory: Self.fixtures.appendingPathComponent("run-iterations")),
                            refreshSeconds: 5).html.contains("http-equiv"), "a finished run's page does not reload")
    }
}

/// The page's escaping, to look for escaped text.
enum HTMLTextForTests {
    static func escape(_ text: String) -> String { HTMLText.escape(text) }
}

/// A dataset's provenance manifest is cited where people look: the report's data table and the experiment log.
@Suite struct DatasetProvenanceTests {
    @Test func theReportAndTheExperimentLogCiteEachDatasetsManifest() async throws {
        let run = try InterfaceTestRun()
        _ = try run.writeSource(
            "facts.jsonl",
            rows: (0..<8).map { ["question": .string("Which number comes after \($0 * 7)?"), "answer": .string("\($0 * 7 + 1)")] })
        let built = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "facts", "sources": ["facts.jsonl"], "format": "alpaca", "#
                + #""limit": 6, "mapping": {"instruction": "{question}", "output": "{answer}"}}"#)
        #expect(!built.isError, "\(built.content)")
        _ = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "facts"}"#)
        let logged = try await run.call(
            "log",
            #"{"iteration": 1, "stage": "data", "hypothesis": "successor facts help", "data": ["facts"], "#
                + #""scores": [], "decision": "discard", "nextStep": "train on it"}"#)
        #expect(!logged.isError, "\(logged.content)")
        let log = try String(contentsOf: run.root.appendingPathComponent("experiment_log.md"), encoding: .utf8)
        #expect(log.contains("- Provenance:\n  - facts (iterations/1/data/facts.manifest.json):"), "\(log)")
        #expect(log.contains("build: 6 -> 6 rows from facts.jsonl (jsonl, sha256 "), "\(log)")

        let report = try RunReport.load(runDirectory: run.root)
        let row = try #require(report.data.first { $0.dataset == "facts" })
        #expect(row.manifest == "iterations/1/data/facts.manifest.json")
        #expect(row.provenance?.first?.hasPrefix("build: 6 -> 6 rows from facts.jsonl") == true, "\(row)")
        let page = ReportPage(report).html
        #expect(page.contains("<code>iterations/1/data/facts.manifest.json</code><br>build: 6 -&gt; 6 rows"))
    }
}
