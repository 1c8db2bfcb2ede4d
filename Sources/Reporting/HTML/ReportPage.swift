import AgentCore
public import Foundation

/// A ``RunReport`` as one self-contained HTML page: inline CSS and SVG charts drawn here, no script, no network,
/// the report's data embedded as JSON (`<script type="application/json" id="run-data">`). Readable at phone width
/// (nothing scrolls sideways) and in dark mode.
///
/// ```swift
/// try ReportPage(try RunReport.load(runDirectory: run)).write(to: run.appendingPathComponent("report.html"))
/// ```
public struct ReportPage: Sendable {
    public var report: RunReport
    /// Seconds between reloads while the run lives (`report --watch`); `nil` for a static page.
    public var refreshSeconds: Int?

    public init(_ report: RunReport, refreshSeconds: Int? = nil) {
        self.report = report
        self.refreshSeconds = refreshSeconds
    }

    /// Writes the page atomically (a browser reloading it never reads half a file).
    public func write(to url: URL) throws {
        try Data(html.utf8).write(to: url, options: .atomic)
    }

    /// The page.
    public var html: String {
        let head = report.headline
        let refresh =
            refreshSeconds.map { report.finished ? "" : "<meta http-equiv=\"refresh\" content=\"\($0)\">" } ?? ""
        return """
            <!doctype html>
            <html lang="en">
            <head>
            <meta charset="utf-8">
            <meta name="viewport" content="width=device-width, initial-scale=1">
            <meta name="color-scheme" content="light dark">
            \(refresh)
            <title>\(e(head.task)) — AutoTrainess run report</title>
            <style>\(Self.style)</style>
            </head>
            <body>
            <header>
            <p class="kicker">AutoTrainess run report · \(e(report.finished ? "finished" : "in progress")) · \
            generated \(e(Self.timestamp(report.generatedAt)))</p>
            <h1>\(e(head.task))</h1>
            <p class="description">\(e(head.description))</p>
            </header>
            <main>
            \(headline)
            <section id="scores"><h2>Score per evaluation</h2>
            <p class="note">95% intervals; green: kept (promoted), orange: inconclusive, red: discarded, hollow: the baseline; the dashed step \
            line is the running best.</p>
            \(scoreChart.svg)
            \(scoreTable)
            </section>
            <section id="loss"><h2>Training loss</h2>\(lossChart.svg)\(learningRateNote)</section>
            <section id="budget"><h2>Budget burn</h2>\(budgetChart.svg)\(budgetSplit)</section>
            <section id="lineage"><h2>Candidates</h2>\(lineage)</section>
            <section id="data"><h2>Data</h2>\(dataTable)</section>
            <section id="timeline"><h2>Timeline</h2>\(timeline)</section>
            <section id="evaluations"><h2>Evaluations</h2>\(evaluations)</section>
            </main>
            <footer><p>Records: \(head.recordCount) in \(e(head.runDirectory))/events.jsonl. The data of this page is \
            embedded below as JSON (id <code>run-data</code>).</p></footer>
            <script type="application/json" id="run-data">\(embeddedJSON)</script>
            </body>
            </html>

            """
    }

    // MARK: Sections

    private var headline: String {
        let head = report.headline
        func score(_ point: RunReport.ScorePoint?) -> String {
            guard let point else { return "—" }
            return "\(Self.number(point.score)) <span class=\"interval\">[\(Self.number(point.low)), "
                + "\(Self.number(point.high))]</span>"
        }
        let used = report.budget.elapsed
        var budget = "\(DurationText.format(used)) used"
        if let total = head.budgetSeconds {
            budget += " of \(DurationText.format(total)), \(DurationText.format(max(0, total - used))) left"
            if let reserve = head.reserveSeconds, reserve > 0 {
                budget += " (\(DurationText.format(reserve)) reserved for the final evaluation)"
            }
        }
        let status = head.stopReason.map { "Stopped: \($0)" }
            ?? "Running: stage '\(head.stage ?? "?")', iteration \(head.iteration)"
        let valid = head.finalModelValid.map { $0 ? "" : " <strong class=\"bad\">(final_model/ is not loadable)</strong>" } ?? ""
        return """
            <section id="headline" class="cards">
            <div class="card"><h3>Score (\(e(head.metric.isEmpty ? "metric" : head.metric)))</h3>
            <p class="big">\(score(head.baseline)) → \(score(head.best))</p>
            <p>baseline → best</p></div>
            <div class="card"><h3>Submission</h3><p class="big">\(e(head.submission))</p>
            <p>\(e(head.submissionReason))\(valid)</p></div>
            <div class="card"><h3>Budget</h3><p>\(e(budget))</p><p>\(e(status))</p></div>
            <div class="card"><h3>Task</h3><p>Base model: <code>\(e(head.baseModel))</code></p>
            <p>Benchmark: \(e(head.benchmark))</p></div>
            </section>
            """
    }

    var scoreChart: SVGChart {
        let points = report.scores.enumerated().map { index, point in
            SVGChart.Point(
                x: Double(index + 1), y: point.score, low: point.low, high: point.high,
                label: "\(point.label) (iteration \(point.iteration)): \(Self.number(point.score)) "
                    + "[\(Self.number(point.low)), \(Self.number(point.high))], n=\(point.sampleCount), \(point.decision.rawValue)",
                marker: point.decision.rawValue)
        }
        let best = report.scores.enumerated().map { index, point in
            SVGChart.Point(x: Double(index + 1), y: point.runningBest, label: "best so far \(Self.number(point.runningBest))")
        }
        return SVGChart(
            id: "chart-scores", title: "Score per evaluation", xLabel: "evaluation", yLabel: report.headline.metric,
            series: [
                SVGChart.Series(name: "score", points: points, line: false, colour: 0),
                SVGChart.Series(name: "running best", points: best, markers: false, steps: true, colour: 1),
            ],
            yRange: report.scores.allSatisfy({ (0...1).contains($0.low) && (0...1).contains($0.high) }) ? 0...1 : nil,
            formatX: { $0 == $0.rounded() ? String(Int($0)) : "" })
    }

    private var scoreTable: String {
        guard !report.scores.isEmpty else { return "" }
        let rows = report.scores.enumerated().map { index, point in
            "<tr class=\"\(point.decision.rawValue)\"><td>\(index + 1)</td><td>\(e(point.label))</td>"
                + "<td>\(point.iteration)</td><td>\(Self.number(point.score))</td>"
                + "<td>[\(Self.number(point.low)), \(Self.number(point.high))]</td><td>\(point.sampleCount)</td>"
                + "<td>\(e(point.decision.rawValue))</td><td>\(e(point.reason ?? ""))</td></tr>"
        }
        return "<table class=\"scores\"><thead><tr><th>#</th><th>label</th><th>iter.</th><th>score</th>"
            + "<th>95% interval</th><th>n</th><th>decision</th><th>why</th></tr></thead><tbody>"
            + rows.joined() + "</tbody></table>"
    }

    var lossChart: SVGChart {
        let series = report.losses.enumerated().map { index, curve in
            SVGChart.Series(
                name: "\(curve.jobID) (\(curve.outcome))",
                points: curve.points.compactMap { point in
                    point.loss.map {
                        SVGChart.Point(
                            x: Double(point.step), y: $0,
                            label: "\(curve.jobID) step \(point.step): loss \(Self.number($0))"
                                + (point.learningRate.map { ", lr \(String(format: "%.2g", $0))" } ?? ""))
                    }
                },
                colour: index)
        }
        return SVGChart(id: "chart-loss", title: "Training loss per job", xLabel: "step", yLabel: "loss", series: series)
    }

    private var learningRateNote: String {
        let rates = report.losses.flatMap(\.points).compactMap(\.learningRate)
        guard let low = rates.min(), let high = rates.max() else { return "" }
        return "<p class=\"note\">Learning rate between \(String(format: "%.2g", low)) and \(String(format: "%.2g", high)) "
            + "(hover a point for its value).</p>"
    }

    /// Where the budget went as the budget clock ran: cumulative training, evaluation and agent time against the
    /// time elapsed, with the deadline and the start of the final reserve.
    var budgetChart: SVGChart {
        let samples = report.budget.samples
        func series(_ name: String, _ value: @escaping (RunReport.BudgetBurn.Sample) -> Double, colour: Int, markers: Bool)
            -> SVGChart.Series
        {
            SVGChart.Series(
                name: name,
                points: samples.map {
                    SVGChart.Point(
                        x: $0.elapsed / 60, y: value($0) / 60,
                        label: "\(name): \(DurationText.format(value($0))) after \(DurationText.format($0.elapsed))")
                },
                markers: markers, colour: colour)
        }
        var guides: [SVGChart.Guide] = []
        if let total = report.headline.budgetSeconds {
            guides.append(SVGChart.Guide(value: total / 60, label: "deadline", vertical: true))
            if let reserve = report.headline.reserveSeconds, reserve > 0 {
                guides.append(SVGChart.Guide(value: (total - reserve) / 60, label: "reserve", vertical: true))
            }
        }
        return SVGChart(
            id: "chart-budget", title: "Budget burn", xLabel: "minutes elapsed (budget clock)", yLabel: "minutes spent",
            series: [
                series("agent and tools", { max(0, $0.elapsed - $0.training - $0.evaluation) }, colour: 0, markers: true),
                series("training", \.training, colour: 2, markers: false),
                series("evaluation", \.evaluation, colour: 3, markers: false),
            ],
            guides: guides)
    }

    private var budgetSplit: String {
        let burn = report.budget
        var parts = [
            "training \(DurationText.format(burn.training))", "evaluation \(DurationText.format(burn.evaluation))",
            "agent and tools \(DurationText.format(burn.agent))",
        ]
        if burn.tokens > 0 { parts.append("\(burn.tokens) tokens") }
        if burn.usd > 0 { parts.append(String(format: "$%.2f", burn.usd)) }
        if burn.gpuHours > 0 { parts.append(String(format: "%.2f GPU-hours", burn.gpuHours)) }
        return "<p class=\"split\">\(e(parts.joined(separator: " · ")))</p>"
    }

    private var lineage: String {
        let children = Dictionary(grouping: report.lineage.filter { $0.parent != nil }, by: { $0.parent ?? "" })
        func node(_ candidate: RunReport.Candidate) -> String {
            let score = candidate.score.map { " — \(Self.number($0))" } ?? " — not evaluated"
            let mark = candidate.id == report.headline.submission ? " <strong>(final_model/)</strong>"
                : candidate.promoted && candidate.id != "base" ? " (promoted)" : ""
            let below = (children[candidate.id] ?? []).map(node).joined()
            return "<li class=\"\(candidate.promoted ? "promoted" : "")\"><code>\(e(candidate.id))</code>\(score)\(mark)"
                + (below.isEmpty ? "" : "<ul>\(below)</ul>") + "</li>"
        }
        let roots = report.lineage.filter { candidate in
            candidate.parent == nil || !report.lineage.contains { $0.id == candidate.parent }
        }
        return "<ul class=\"tree\">" + roots.map(node).joined() + "</ul>"
    }

    private var dataTable: String {
        guard !report.data.isEmpty else { return "<p class=\"empty\">No dataset built yet.</p>" }
        let rows = report.data.map { row in
            "<tr><td>\(row.iteration)</td><td><code>\(e(row.dataset))</code></td><td>\(row.rows)</td>"
                + "<td>\(e(row.format ?? "—"))</td><td class=\"\(row.verdict == "approve" ? "ok" : "bad")\">"
                + "\(e(row.verdict ?? "not validated"))</td><td>\(row.contaminationHits.map(String.init) ?? "—")</td>"
                + "<td>\(e(row.reasons.joined(separator: "; ")))</td><td>\(provenance(row))</td></tr>"
        }
        return "<table><thead><tr><th>iter.</th><th>dataset</th><th>rows</th><th>format</th><th>verdict</th>"
            + "<th>contamination hits</th><th>reasons</th><th>provenance</th></tr></thead><tbody>" + rows.joined()
            + "</tbody></table>"
    }

    /// The manifest's operations, one line each, under the manifest's path.
    private func provenance(_ row: RunReport.DataRow) -> String {
        guard let manifest = row.manifest, let lines = row.provenance else { return "—" }
        return "<code>\(e(manifest))</code>" + lines.map { "<br>\(e($0))" }.joined()
    }

    private var timeline: String {
        guard !report.events.isEmpty else { return "<p class=\"empty\">Nothing recorded yet.</p>" }
        let items = report.events.map { event in
            "<li class=\"\(event.kind.rawValue)\"><span class=\"when\">\(DurationText.format(event.secondsFromStart))</span> "
                + "<strong>\(e(event.title))</strong>" + (event.detail.isEmpty ? "" : "<br><span>\(e(event.detail))</span>")
                + "</li>"
        }
        return "<ol class=\"timeline\">" + items.joined() + "</ol>"
    }

    private var evaluations: String {
        guard !report.evaluations.isEmpty else { return "<p class=\"empty\">No evaluation report yet.</p>" }
        return report.evaluations.map { detail in
            let triage = detail.triage.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", ")
            let picked = detail.picked.map { sample in
                "<tr class=\"\(sample.score > 0 ? "ok" : "bad")\"><td><code>\(e(sample.id))</code></td>"
                    + "<td>\(e(Self.clip(sample.input)))</td><td>\(e(Self.clip(sample.target)))</td>"
                    + "<td>\(e(Self.clip(sample.output)))</td><td>\(Self.number(sample.score))</td></tr>"
            }.joined()
            let changed = detail.changed.map { change in
                "<tr class=\"\(change.candidateScore > change.baselineScore ? "ok" : "bad")\">"
                    + "<td><code>\(e(change.id))</code><br>\(e(Self.clip(change.input)))</td>"
                    + "<td>\(e(Self.clip(change.target)))</td><td>\(e(Self.clip(change.baseline)))</td>"
                    + "<td>\(e(Self.clip(change.candidate)))</td></tr>"
            }.joined()
            let gained = detail.changed.filter { $0.candidateScore > $0.baselineScore }.count
            return """
                <details class="evaluation"\(detail.label == report.evaluations.last?.label ? " open" : "")>
                <summary><strong>\(e(detail.label))</strong> (iteration \(detail.iteration)): \
                \(Self.number(detail.score)) on \(detail.sampleCount) samples\
                \(detail.changed.isEmpty ? "" : "; \(gained) gained, \(detail.changed.count - gained) lost against the baseline")</summary>
                <p>Failure triage: \(e(triage.isEmpty ? "none" : triage)).</p>
                <table class="samples"><thead><tr><th>id</th><th>prompt</th><th>target</th><th>answer</th><th>score</th></tr></thead>
                <tbody>\(picked)</tbody></table>
                \(changed.isEmpty ? "" : """
                <h4>Changed against the baseline</h4>
                <table class="changes"><thead><tr><th>item</th><th>target</th><th>baseline</th><th>candidate</th></tr></thead>
                <tbody>\(changed)</tbody></table>
                """)
                </details>
                """
        }.joined(separator: "\n")
    }

    private var embeddedJSON: String {
        let encoder = JSONEncoder()
        encoder.outputFormatting = [.sortedKeys]
        encoder.dateEncodingStrategy = .iso8601
        encoder.nonConformingFloatEncodingStrategy = .convertToString(
            positiveInfinity: "inf", negativeInfinity: "-inf", nan: "nan")
        let json = (try? encoder.encode(report)).map { String(decoding: $0, as: UTF8.self) } ?? "{}"
        // Nothing in the data may close the script element.
        return json.replacingOccurrences(of: "</", with: "<\\/")
    }

    // MARK: Formatting

    private func e(_ text: String) -> String { HTMLText.escape(text) }

    static func number(_ value: Double) -> String { String(format: "%.3f", value) }

    static func clip(_ text: String, limit: Int = 240) -> String {
        text.count <= limit ? text : String(text.prefix(limit)) + "…"
    }

    static func timestamp(_ date: Date) -> String {
        let formatter = ISO8601DateFormatter()
        formatter.formatOptions = [.withInternetDateTime]
        return formatter.string(from: date)
    }

    static let style = """
        :root{--bg:#ffffff;--fg:#1d2330;--muted:#5b6474;--line:#d9dee7;--card:#f5f7fa;--ok:#1f7a3a;--bad:#b42318;
        --s0:#2f6fdf;--s1:#e07b00;--s2:#1f9d6b;--s3:#9b51e0;--s4:#d6336c;--s5:#0b8fa6}
        @media (prefers-color-scheme: dark){:root{--bg:#11151c;--fg:#e6e9ef;--muted:#9aa4b2;--line:#2c3440;
        --card:#1a202a;--ok:#5fd38a;--bad:#ff7b72;--s0:#6ea8ff;--s1:#ffb454;--s2:#4fd1a1;--s3:#c49bff;--s4:#ff8fb3;--s5:#4fd6ea}}
        *{box-sizing:border-box}
        html{-webkit-text-size-adjust:100%}
        body{margin:0 auto;max-width:64rem;padding:1rem;background:var(--bg);color:var(--fg);
        font:15px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,sans-serif;overflow-wrap:anywhere}
        h1{margin:.2rem 0;font-size:1.6rem}h2{margin:2rem 0 .6rem;font-size:1.2rem;border-bottom:1px solid var(--line)}
        h3{margin:0 0 .3rem;font-size:.85rem;text-transform:uppercase;letter-spacing:.04em;color:var(--muted)}
        .kicker,.note,.description,footer{color:var(--muted)}.note{font-size:.85rem}
        code{font-size:.9em}
        .cards{display:grid;grid-template-columns:repeat(auto-fit,minmax(14rem,1fr));gap:.8rem}
        .card{background:var(--card);border:1px solid var(--line);border-radius:8px;padding:.8rem}
        .card p{margin:.2rem 0}.big{font-size:1.25rem;font-weight:600}.interval{font-size:.8rem;color:var(--muted)}
        .chart{width:100%;height:auto;display:block;max-width:100%}
        .axis{stroke:var(--muted);fill:none}.grid{stroke:var(--line);fill:none}
        .guide{stroke:var(--bad);stroke-dasharray:4 4;fill:none}.guide-label{fill:var(--bad);font-size:11px}
        .tick,.axis-label{fill:var(--muted);font-size:13px}
        .line{fill:none;stroke-width:2}.steps{stroke-dasharray:6 3}
        .errorbar{stroke-width:1.5}
        .series-0{stroke:var(--s0);fill:var(--s0)}.series-1{stroke:var(--s1);fill:var(--s1)}
        .series-2{stroke:var(--s2);fill:var(--s2)}.series-3{stroke:var(--s3);fill:var(--s3)}
        .series-4{stroke:var(--s4);fill:var(--s4)}.series-5{stroke:var(--s5);fill:var(--s5)}
        path.line.series-0,path.line.series-1,path.line.series-2,path.line.series-3,path.line.series-4,path.line.series-5{fill:none}
        circle.keep{fill:var(--ok);stroke:var(--ok)}circle.discard{fill:var(--bad);stroke:var(--bad)}
        circle.inconclusive{fill:var(--s1);stroke:var(--s1)}circle.baseline{fill:var(--bg);stroke-width:2}
        .legend{list-style:none;padding:0;display:flex;flex-wrap:wrap;gap:.3rem 1rem;font-size:.85rem}
        .swatch.series-0{background:var(--s0)}.swatch.series-1{background:var(--s1)}.swatch.series-2{background:var(--s2)}
        .swatch.series-3{background:var(--s3)}.swatch.series-4{background:var(--s4)}.swatch.series-5{background:var(--s5)}
        .swatch{display:inline-block;width:.8rem;height:.8rem;border-radius:2px;margin-right:.3rem;vertical-align:-1px}
        table{width:100%;border-collapse:collapse;table-layout:fixed;font-size:.85rem;margin:.6rem 0}
        th,td{border-bottom:1px solid var(--line);padding:.3rem .35rem;text-align:left;vertical-align:top;
        overflow-wrap:anywhere;word-break:break-word}
        th{color:var(--muted);font-weight:600}
        table.scores th:nth-child(1){width:2rem}table.scores th:nth-child(3),table.scores th:nth-child(6){width:3rem}
        table.scores th:nth-child(8){width:38%}
        tr.keep td:first-child,tr.ok td:first-child{box-shadow:inset 3px 0 var(--ok)}
        tr.discard td:first-child,tr.bad td:first-child{box-shadow:inset 3px 0 var(--bad)}
        td.ok{color:var(--ok)}td.bad,.bad{color:var(--bad)}
        .tree,.tree ul{list-style:none;padding-left:1.1rem;margin:.2rem 0}
        .tree li{position:relative}.tree li::before{content:"└ ";color:var(--muted);margin-left:-1.1rem}
        .tree li.promoted>code{color:var(--ok);font-weight:600}
        .timeline{list-style:none;padding:0}.timeline li{padding:.35rem .5rem;border-left:3px solid var(--line);margin:.2rem 0}
        .timeline li.denial{border-color:var(--s1)}.timeline li.failure{border-color:var(--bad)}
        .timeline li.decision{border-color:var(--ok)}.timeline li.end{border-color:var(--s0)}
        .when{color:var(--muted);font-variant-numeric:tabular-nums}
        details.evaluation{border:1px solid var(--line);border-radius:8px;padding:.5rem .7rem;margin:.6rem 0}
        summary{cursor:pointer}
        @media (max-width:40rem){body{padding:.6rem;font-size:14px}table{font-size:.75rem}
        table.scores th:nth-child(8),table.scores td:nth-child(8){display:none}}
        """
}
