import AgentTesting
import Foundation
import Testing

@testable import Reporting

#if canImport(Glibc)
import Glibc
#endif

/// Headless Chromium (Debian's `chromium`): installed by `scripts/install-test-services.sh chromium` when the tests
/// run as root (as on CI); elsewhere without it the browser test is skipped with a message.
enum Chromium {
    static let executable: URL? = {
        func find() -> URL? {
            ["/usr/bin/chromium", "/usr/bin/chromium-browser", "/usr/bin/google-chrome"]
                .first { FileManager.default.isExecutableFile(atPath: $0) }.map(URL.init(fileURLWithPath:))
        }
        if find() == nil, geteuid() == 0 {
            let installer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().appendingPathComponent("scripts/install-test-services.sh").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [installer, "chromium"]
            try? process.run()
            process.waitUntilExit()
        }
        let found = find()
        if found == nil { print("ReportBrowserTests: chromium is not installed (and we are not root): skipped") }
        return found
    }()

    /// Runs headless Chromium on `page` with `arguments`; returns standard output and standard error.
    static func run(_ arguments: [String], page: URL, in directory: URL) throws -> (out: String, err: String) {
        let process = Process()
        process.executableURL = executable
        process.currentDirectoryURL = directory
        process.arguments =
            [
                "--headless", "--no-sandbox", "--disable-gpu", "--hide-scrollbars", "--no-first-run",
                "--user-data-dir=\(directory.appendingPathComponent("profile").path)", "--enable-logging=stderr",
                "--log-level=0",
            ] + arguments + [page.absoluteString]
        let out = directory.appendingPathComponent("out-\(UUID().uuidString).txt")
        let err = directory.appendingPathComponent("err-\(UUID().uuidString).txt")
        FileManager.default.createFile(atPath: out.path, contents: nil)
        FileManager.default.createFile(atPath: err.path, contents: nil)
        process.standardOutput = try FileHandle(forWritingTo: out)
        process.standardError = try FileHandle(forWritingTo: err)
        try process.run()
        let deadline = Date().addingTimeInterval(90)
        while process.isRunning, Date() < deadline { usleep(100_000) }
        if process.isRunning { kill(process.processIdentifier, SIGKILL) }
        return (try String(contentsOf: out, encoding: .utf8), try String(contentsOf: err, encoding: .utf8))
    }
}

@Suite struct ReportBrowserTests {
    /// The multi-iteration fixture's page in a real browser at desktop and phone width: it loads without console
    /// errors, the DOM the browser built has every chart with the expected number of points, and the page does not
    /// scroll sideways at phone width. Screenshots are written for the README when `AUTOTRAINESS_SCREENSHOTS` names
    /// a folder.
    @Test(.enabled(if: Chromium.executable != nil), .timeLimit(.minutes(5)))
    func thePageLoadsInHeadlessChromiumWithItsChartsAndWithoutConsoleErrors() throws {
        let directory = try TemporaryDirectory()
        let report = try RunReport.load(runDirectory: RunReportTests.fixtures.appendingPathComponent("run-iterations"))
        let page = ReportPage(report)
        let file = directory.path("report.html")
        try page.write(to: file)

        let dom = try Chromium.run(["--dump-dom", "--virtual-time-budget=2000"], page: file, in: directory.url)
        #expect(dom.out.contains("<h1>toy</h1>"), "the page did not load: \(dom.err.suffix(2000))")
        let consoleErrors = dom.err.split(separator: "\n").filter {
            $0.contains("CONSOLE") || $0.contains("Uncaught") || $0.contains("Refused to")
        }
        #expect(consoleErrors.isEmpty, "\(consoleErrors)")
        for chart in [page.scoreChart, page.lossChart, page.budgetChart] {
            let svg = try #require(Self.element("svg", id: chart.id, in: dom.out), "no \(chart.id) in the DOM")
            let circles = svg.components(separatedBy: "<circle class=\"point").count - 1
            #expect(circles == chart.pointCount && chart.pointCount > 0, "\(chart.id): \(circles) circles")
        }
        #expect(Self.element("svg", id: "chart-scores", in: dom.out)?.components(separatedBy: "<circle").count == 5)

        // At phone width the document is no wider than the viewport (nothing scrolls sideways).
        let probe = directory.path("probe.html")
        let width = try String(contentsOf: file, encoding: .utf8).replacingOccurrences(
            of: "</body>",
            with: "<script>document.title = 'width=' + document.documentElement.scrollWidth + '/' + window.innerWidth;</script></body>")
        try Data(width.utf8).write(to: probe)
        let narrow = try Chromium.run(
            ["--dump-dom", "--window-size=390,844", "--virtual-time-budget=2000"], page: probe, in: directory.url)
        let title = narrow.out.range(of: #"<title>width=\d+/\d+</title>"#, options: .regularExpression)
            .map { String(narrow.out[$0]) } ?? ""
        let numbers = title.split(whereSeparator: { !$0.isNumber }).compactMap { Int($0) }
        #expect(numbers.count == 2 && numbers[0] <= numbers[1], "scroll width / viewport: \(title)")

        if let folder = ProcessInfo.processInfo.environment["AUTOTRAINESS_SCREENSHOTS"] {
            for (name, size) in [("report-desktop.png", "1280,1900"), ("report-narrow.png", "390,1900")] {
                let shot = URL(fileURLWithPath: folder).appendingPathComponent(name)
                _ = try Chromium.run(["--screenshot=\(shot.path)", "--window-size=\(size)"], page: file, in: directory.url)
                #expect(FileManager.default.fileExists(atPath: shot.path))
            }
        }
    }

    /// The text of the first `<tag id="id" …>…</tag>` in `html`.
    static func element(_ tag: String, id: String, in html: String) -> String? {
        guard let start = html.range(of: "<\(tag) id=\"\(id)\""),
            let end = html.range(of: "</\(tag)>", range: start.upperBound..<html.endIndex)
        else { return nil }
        return String(html[start.lowerBound..<end.upperBound])
    }
}
