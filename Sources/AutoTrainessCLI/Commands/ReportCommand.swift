import ArgumentParser
import AutoTrainess
import Foundation

/// `autotrainess report RUN_DIR [--out FILE] [--open] [--watch]`: the run's report as one self-contained HTML page.
struct ReportCommand: AsyncParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "report",
        abstract: "Write a run's report: one self-contained HTML page (scores, loss, budget, candidates, data, timeline).",
        discussion: """
            The page has no script and reaches no network; the report's data is embedded in it as JSON. It works on a \
            run in progress and on 0.1.0 run folders. With --watch the page is rewritten every few seconds, with a \
            reload tag, until the run stops. Exit 1 when RUN_DIR is not a run.
            """
    )

    @Argument(help: "The run folder.")
    var runDirectory: String

    @Option(help: "Where to write the page (default: RUN_DIR/report.html).")
    var out: String?

    @Flag(help: "Open the page in the default browser (xdg-open or open).")
    var open = false

    @Flag(help: "Rewrite the page every --interval seconds until the run stops.")
    var watch = false

    @Option(help: "Seconds between rewrites with --watch.")
    var interval: Int = 5

    func validate() throws {
        guard interval >= 1 else { throw ValidationError("--interval must be at least 1 second") }
    }

    func run() async throws {
        let run = URL(fileURLWithPath: runDirectory)
        let destination = out.map { URL(fileURLWithPath: $0) } ?? run.appendingPathComponent("report.html")
        var opened = false
        while true {
            let report: RunReport
            do {
                report = try RunReport.load(runDirectory: run)
                try ReportPage(report, refreshSeconds: watch ? interval : nil).write(to: destination)
            } catch {
                FileHandle.standardError.write(Data("autotrainess report: \(error)\n".utf8))
                throw ExitCode(1)
            }
            if !opened {
                print("Report: \(destination.path)")
                if open { Self.openInBrowser(destination) }
                opened = true
            }
            guard watch, !report.finished else { break }
            try await Task.sleep(for: .seconds(interval))
        }
    }

    static func openInBrowser(_ page: URL) {
        let opener = ["/usr/bin/xdg-open", "/usr/bin/open"].first { FileManager.default.isExecutableFile(atPath: $0) }
        guard let opener else {
            print("No browser opener (xdg-open) found: open \(page.path) yourself.")
            return
        }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: opener)
        process.arguments = [page.path]
        try? process.run()
    }
}
