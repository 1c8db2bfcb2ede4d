import AutoTrainess
import Foundation
import Testing

#if canImport(Glibc)
import Glibc
#endif

/// `autotrainess demo --quick` for real: the managed Python stack, the real model, LlamaFactory training on CPU and
/// the local evaluator. Each test takes minutes on two cores, so they never run at the same time.
@Suite("autotrainess demo (real, quick settings)", .serialized)
struct DemoCommandTests {
    @Test("demo --quick runs the whole loop and leaves a complete run folder with a loadable final_model",
        .timeLimit(.minutes(30)))
    func quickDemoEndToEnd() throws {
        let binary = try AutoTrainessBinary()
        let runs = try RunsFolder()
        let log = runs.url.appendingPathComponent("demo.log")
        let demo = try binary.start(["demo", "--quick", "--runs-dir", runs.url.path], log: log)
        // While it runs, `status --watch` draws in a pseudo-terminal (util-linux `script`) until the run stops.
        var watcher: Process?
        let screen = runs.url.appendingPathComponent("watch.typescript")
        while demo.isRunning, watcher == nil {
            if let run = try runs.runDirectory(),
                FileManager.default.fileExists(atPath: run.appendingPathComponent("events.jsonl").path)
            {
                let command = "\(binary.url.path) status \(run.path) --watch --interval 1"
                watcher = try Self.inPseudoTerminal(command, typescript: screen)
            } else {
                Thread.sleep(forTimeInterval: 0.2)
            }
        }
        demo.waitUntilExit()
        let status = demo.terminationStatus
        let output = try String(contentsOf: log, encoding: .utf8)
        #expect(status == 0, "demo exited \(status):\n\(output.suffix(3000))")
        let run = try #require(try runs.runDirectory(), "no run folder in \(runs.url.path):\n\(output.suffix(3000))")
        if let watcher {
            let deadline = Date().addingTimeInterval(30)
            while watcher.isRunning, Date() < deadline { Thread.sleep(forTimeInterval: 0.2) }
            #expect(!watcher.isRunning, "status --watch did not end with the run")
            if watcher.isRunning { watcher.terminate() }
            let frames = (try? String(contentsOf: screen, encoding: .utf8)) ?? ""
            #expect(frames.contains("\u{1B}[2J"), "status --watch did not redraw the terminal")
            #expect(frames.contains("Training iter1-job1: [") && frames.contains("step "), "\(frames.suffix(2000))")
            #expect(frames.contains("Budget: [") && frames.contains("Stopped: finished"), "\(frames.suffix(2000))")
        } else {
            Issue.record("the demo ended before its run folder appeared")
        }
        let page = try String(contentsOf: run.appendingPathComponent("report.html"), encoding: .utf8)
        #expect(page.contains("<svg id=\"chart-loss\"") && page.contains("iter1-job1"), "the run writes its report")
        #expect(output.contains("Report: \(run.path)/report.html"))

        let (events, damaged) = try readEvents(run)
        #expect(damaged.isEmpty, "damaged lines in events.jsonl: \(damaged)")
        let stages = Set(events.filter { $0.kind == "stage.entered" }.compactMap { $0.payload["stage"] as? String })
        #expect(stages.isSuperset(of: ["define", "baseline", "local"]), "stages entered: \(stages)")
        let reports = Set(events.filter { $0.kind == "eval.report" }.compactMap { $0.payload["label"] as? String })
        #expect(reports.isSuperset(of: ["baseline", "iter1"]), "evaluation reports: \(reports)")
        #expect(events.contains { $0.kind == "train.finished" })
        #expect(events.contains { $0.kind == "iteration.logged" })
        let stopped = try #require(events.last { $0.kind == "workflow.stopped" }, "the run never stopped")
        #expect(stopped.payload["finalModelValid"] as? Bool == true)
        #expect(stopped.payload["reason"] as? String == "finished")

        let registryData = try Data(contentsOf: run.appendingPathComponent("checkpoints/registry.json"))
        let registry = try #require(try JSONSerialization.jsonObject(with: registryData) as? [String: Any])
        let candidates = try #require(registry["candidates"] as? [[String: Any]])
        let byID = Dictionary(candidates.map { (($0["id"] as? String) ?? "", $0) }, uniquingKeysWith: { $1 })
        for id in ["base", "iter1-job1"] {
            let reportsOfCandidate = (byID[id]?["reports"] as? [Any]) ?? []
            #expect(!reportsOfCandidate.isEmpty, "registry entry '\(id)' is missing or has no reports")
        }

        let manager = FileManager.default
        #expect(manager.fileExists(atPath: run.appendingPathComponent("iterations/1/plan.md").path))
        #expect(manager.fileExists(atPath: run.appendingPathComponent("iterations/1/data/dataset_info.json").path))
        let evalFiles = (try? manager.contentsOfDirectory(atPath: run.appendingPathComponent("iterations/1/eval").path))
        #expect(
            evalFiles?.contains { $0.hasSuffix("-summary.md") } == true, "iterations/1/eval holds \(evalFiles ?? [])")

        #expect(output.contains("| baseline evaluation"), "no summary table in the output")
        #expect(output.contains("| candidate evaluation"))
        #expect(output.contains("recipe policy"), "the output must say the recipe policy drives")

        // The promotion decision and final_model/ agree.
        let promoted = events.last { $0.kind == "workflow.evaluated" }?.payload["promoted"] as? Bool
        let finalModel = run.appendingPathComponent("final_model")
        let source: URL
        if promoted == true {
            #expect(registry["bestID"] as? String == "iter1-job1")
            source = run.appendingPathComponent("checkpoints/iter1-job1")
        } else {
            #expect(registry["bestID"] as? String == "base")
            source = URL(fileURLWithPath: try #require(registry["baseModel"] as? String))
        }
        for file in ["config.json", "model.safetensors"] {
            #expect(
                try sameContents(finalModel.appendingPathComponent(file), source.appendingPathComponent(file)),
                "final_model/\(file) differs from \(source.path)/\(file) (promoted: \(String(describing: promoted)))")
        }

        let loaded = try loadAndGenerate(finalModel)
        #expect(loaded.status == 0, "final_model does not load:\n\(loaded.output.suffix(3000))")
        #expect(loaded.output.contains("GENERATED:"))
    }

    /// Starts `command` under util-linux `script`, which gives it a pseudo-terminal and records what it draws.
    static func inPseudoTerminal(_ command: String, typescript: URL) throws -> Process {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/usr/bin/script")
        process.arguments = ["--quiet", "--return", "--flush", "--command", command, typescript.path]
        process.standardInput = FileHandle.nullDevice
        process.standardOutput = FileHandle.nullDevice
        process.standardError = FileHandle.nullDevice
        try process.run()
        return process
    }

    @Test("Ctrl-C during training stops the demo cleanly and `autotrainess resume` finishes the run",
        .timeLimit(.minutes(40)))
    func interruptDuringTrainingThenResume() async throws {
        let binary = try AutoTrainessBinary()
        let runs = try RunsFolder()
        let log = runs.url.appendingPathComponent("demo.log")
        let process = try binary.start(["demo", "--quick", "--runs-dir", runs.url.path], log: log)
        defer { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }
        func output() -> String { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(3000).description }

        // Wait (bounded) until training reports progress.
        var run: URL?
        for _ in 0..<1_800 where process.isRunning {
            if let folder = try runs.runDirectory(),
                (try? readEvents(folder))?.events.contains(where: { $0.kind == "train.progress" }) == true
            {
                run = folder
                break
            }
            try await Task.sleep(for: .milliseconds(500))
        }
        let runDirectory = try #require(run, "training never reported progress:\n\(output())")

        kill(process.processIdentifier, SIGINT)
        for _ in 0..<240 where process.isRunning { try await Task.sleep(for: .milliseconds(500)) }
        #expect(!process.isRunning, "the demo did not exit after SIGINT:\n\(output())")
        if process.isRunning { return }
        #expect(process.terminationStatus == 130, "exit status \(process.terminationStatus):\n\(output())")
        #expect(output().contains("autotrainess resume \(runDirectory.path)"), "no resume hint:\n\(output())")

        // Training and evaluation processes of this run are gone (give the kernel a moment to reap them).
        var survivors = processesMentioning(runDirectory.path)
        for _ in 0..<20 where !survivors.isEmpty {
            try await Task.sleep(for: .milliseconds(500))
            survivors = processesMentioning(runDirectory.path)
        }
        #expect(survivors.isEmpty, "processes of the run survived the interruption: \(survivors)")
        let interrupted = try readEvents(runDirectory)
        #expect(interrupted.damaged.isEmpty, "damaged lines in events.jsonl: \(interrupted.damaged)")
        #expect(!interrupted.events.contains { $0.kind == "workflow.stopped" })

        let resumed = try binary.run(
            ["resume", runDirectory.path], log: runs.url.appendingPathComponent("resume.log"))
        #expect(resumed.status == 0, "resume exited \(resumed.status):\n\(resumed.output.suffix(3000))")
        let (events, damaged) = try readEvents(runDirectory)
        #expect(damaged.isEmpty, "damaged lines in events.jsonl after resuming: \(damaged)")
        let stopped = try #require(events.last { $0.kind == "workflow.stopped" }, "the resumed run never stopped")
        #expect(stopped.payload["finalModelValid"] as? Bool == true)
        #expect(stopped.payload["reason"] as? String == "finished")
        #expect(events.contains { $0.kind == "iteration.logged" })
    }
}
