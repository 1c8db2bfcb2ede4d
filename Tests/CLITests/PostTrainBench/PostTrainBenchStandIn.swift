import AgentCore
import AgentTesting
import Foundation

@testable import AutoTrainess

/// A PostTrainBench home folder built from the CPU stand-in fixture (`Fixtures/posttrainbench`): `task/` with
/// `evaluate.py`, `templates/`, `evaluation_code/items.jsonl` and a `timer.sh` made by `create_timer.sh`, and in the
/// home `contamination_check.py` and `test_data.json` (the same items as `{question, answer}`), plus a data root
/// with training rows. The items are the demo's number-words benchmark: the question is the number in words (as
/// gsm8k's is the problem), and `evaluate.py` puts the instruction around it (as inspect's gsm8k template does).
struct PostTrainBenchStandIn {
    static let fixture = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
        .appendingPathComponent("Fixtures/posttrainbench")

    let home: URL
    let task: URL
    let data: URL
    let items: [(question: String, answer: String)]
    let training: [(instruction: String, output: String)]

    /// - Parameters:
    ///   - directory: where the home folder goes.
    ///   - hours: the timer's hours (`nil`: no `timer.sh`).
    ///   - settings: the demo settings the items and training rows come from.
    init(in directory: TemporaryDirectory, hours: Double? = 0.5, settings: DemoSettings = .quick) throws {
        let manager = FileManager.default
        home = directory.path("home")
        task = home.appendingPathComponent("task")
        data = directory.path("data")
        try manager.createDirectory(at: home, withIntermediateDirectories: true)
        try manager.copyItem(at: Self.fixture.appendingPathComponent("gsm8k"), to: task)
        try manager.copyItem(
            at: Self.fixture.appendingPathComponent("contamination_check.py"),
            to: home.appendingPathComponent("contamination_check.py"))
        try manager.createDirectory(at: directory.path("demo"), withIntermediateDirectories: true)
        let demo = DemoRun(settings: settings, runsDirectory: directory.path("demo"), launcher: RunLauncher(progress: { _ in }))
        let splits = try demo.cleanSplits(
            testFile: directory.path("demo/test.jsonl"), trainingFile: directory.path("demo/training.json"))
        items = splits.test.map { ($0.question, $0.target) }
        training = splits.training.map { ($0.instruction, $0.output) }
        let rows = items.map { JSONValue.object(["question": .string($0.question), "answer": .string($0.answer)]) }
        try manager.createDirectory(at: task.appendingPathComponent("evaluation_code"), withIntermediateDirectories: true)
        try Data((rows.map(\.compactText).joined(separator: "\n") + "\n").utf8)
            .write(to: task.appendingPathComponent("evaluation_code/items.jsonl"))
        try Data(JSONValue.array(rows).compactText.utf8).write(to: home.appendingPathComponent("test_data.json"))
        try manager.createDirectory(at: data, withIntermediateDirectories: true)
        let trainingRows = training.map {
            JSONValue.object(["instruction": .string($0.instruction), "output": .string($0.output)])
        }
        try Data(JSONValue.array(trainingRows).compactText.utf8).write(to: data.appendingPathComponent("training.json"))
        if let hours { try Self.createTimer(hours: hours, at: task.appendingPathComponent("timer.sh")) }
    }

    /// A `timer.sh` with the real output (`Remaining time (hours:minutes):` then `H:MM`, or `Timer expired!`) whose
    /// deadline (epoch seconds) is read from `deadlineFile` outside the task folder, so that a test can make the
    /// benchmark's time run out mid-run without touching the protected script (``expire(deadlineFile:)``).
    static func createControlledTimer(at target: URL, deadlineFile: URL, secondsLeft: Int) throws {
        let script = """
            #!/bin/bash
            DEADLINE=$(cat '\(deadlineFile.path)')
            LEFT=$((DEADLINE - $(date +%s)))
            if [ "$LEFT" -le 0 ]; then echo "Timer expired!"; exit 0; fi
            echo "Remaining time (hours:minutes):"
            printf "%d:%02d\\n" $((LEFT / 3600)) $(((LEFT % 3600) / 60))

            """
        try Data(script.utf8).write(to: target)
        try FileManager.default.setAttributes([.posixPermissions: 0o755], ofItemAtPath: target.path)
        try Data("\(Int(Date().timeIntervalSince1970) + secondsLeft)\n".utf8).write(to: deadlineFile, options: .atomic)
    }

    /// Makes a ``createControlledTimer(at:deadlineFile:secondsLeft:)`` timer say `Timer expired!` from now on.
    static func expire(deadlineFile: URL) throws {
        try Data("\(Int(Date().timeIntervalSince1970) - 1)\n".utf8).write(to: deadlineFile, options: .atomic)
    }

    /// Runs the fixture's `create_timer.sh`, as the benchmark prepares a job.
    static func createTimer(hours: Double, at target: URL) throws {
        let process = Process()
        process.executableURL = URL(fileURLWithPath: "/bin/bash")
        process.arguments = [fixture.appendingPathComponent("create_timer.sh").path, String(hours), target.path]
        try process.run()
        process.waitUntilExit()
    }
}
