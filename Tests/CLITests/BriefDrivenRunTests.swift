import AgentCore
import AgentTesting
import Foundation
import Interfaces
import Testing
import TrainingBackends
import Workflows

import AutoTrainess

/// A scripted model that knows nothing but what its messages show: no recipe, no path, no field name given to it in
/// code. It finds the training file, its fields and the cutoff by reading the task brief, the model to evaluate by
/// reading the `train` result, and the promotion decision by reading the status the run shows it.
enum BriefReader {
    /// Facts read from the brief.
    struct Facts {
        var dataFile: String?
        var fields: [String] = []
        var cutoff: Int?
        var benchmark: String?
    }

    static func facts(from brief: String) -> Facts {
        var facts = Facts()
        let lines = brief.split(separator: "\n").map(String.init)
        for line in lines {
            let trimmed = line.trimmingCharacters(in: .whitespaces)
            if facts.dataFile == nil, trimmed.hasPrefix("- "), trimmed.contains(" fields: "),
                !trimmed.contains("not readable"), let name = trimmed.dropFirst(2).split(separator: " ").first
            {
                facts.dataFile = String(name)
                let fields = trimmed.components(separatedBy: " fields: ")[1]
                facts.fields = fields.components(separatedBy: ", ")
            }
            if trimmed.hasPrefix("- training cutoff_len: ") {
                facts.cutoff = Int(trimmed.dropFirst("- training cutoff_len: ".count).split(separator: " ")[0])
            }
            if trimmed.hasPrefix("- benchmark: ") { facts.benchmark = String(trimmed.dropFirst("- benchmark: ".count)) }
        }
        return facts
    }

    /// The model's next turn for `request`.
    static func respond(_ request: ModelRequest, _ index: Int) -> ScriptedModelProvider.Turn? {
        let system = request.messages.first { $0.role == .system }?.text ?? ""
        let brief = request.messages.first { $0.role == .user }?.text ?? ""
        let calls = request.messages.flatMap(\.toolCalls)
        let lastResult = request.messages.last { $0.role == .tool }?.text ?? ""
        var facts = facts(from: brief)
        func call(_ name: String, _ arguments: JSONValue) -> ScriptedModelProvider.Turn {
            .toolCalls([ToolCall(id: "call-\(index)", name: name, arguments: arguments.compactText)])
        }
        if system.contains("Stage 0") {
            return .text("The task: \(facts.benchmark ?? "the benchmark"); training data: \(facts.dataFile ?? "none").")
        }
        if system.contains("Stage 1") {
            return calls.isEmpty
                ? call("eval", ["iteration": 0, "model": "base", "label": "baseline"]) : .text("Baseline recorded.")
        }
        // Where the iteration stands, read from the status line the run shows on every turn.
        let status = system.split(separator: "\n").last { $0.hasPrefix("Stage: ") }.map(String.init) ?? ""
        let planned = status.contains("(planned")
        let approved = status.contains("' approved")
        let trained = status.range(of: #"trained [A-Za-z0-9_-]+"#, options: .regularExpression)
            .map { String(status[$0].dropFirst("trained ".count)) }
        let evaluated = status.contains(", evaluated")
        let lastCall = calls.last
        let generates = facts.dataFile == nil
        let file = facts.dataFile ?? "scratch/generated.jsonl"
        if generates { facts.fields = ["instruction", "output"] }
        var mapping: [String: JSONValue] = [:]
        for (target, candidates) in [("instruction", ["instruction", "question", "prompt"]), ("output", ["output", "answer"])] {
            if let field = candidates.first(where: facts.fields.contains) { mapping[target] = .string("{\(field)}") }
        }
        if !planned {
            if status.contains("iteration 1 logged") { return .text("Done: iteration 1 is logged.") }
            return call(
                "plan",
                [
                    "iteration": 1, "weakness": "the base model does not answer in the evaluation's format",
                    "evidence": ["baseline"],
                    "hypothesis": .string("training on \(file) in the evaluation's format teaches the answer form"),
                    "changes": [.string("LoRA on \(file)")],
                    "successCriterion": "accuracy above the baseline on 40 samples",
                ])
        }
        if !approved {
            // Without training data, the model writes a generator first.
            let generated = request.messages.contains { $0.role == .tool && $0.text.contains("scratch/generated.jsonl") }
            if generates && !generated {
                guard let prompt = firstEvaluationPrompt(brief) else { return .text("No evaluation prompt to copy.") }
                return call("run_command", ["command": .string(generator(copying: prompt))])
            }
            if lastCall?.name == "data", lastCall?.arguments.contains("\"build\"") == true, !lastResult.contains("Build failed") {
                return call("data", ["action": "validate", "iteration": 1, "dataset": "brief_rows"])
            }
            return call(
                "data",
                [
                    "action": "build", "iteration": 1, "dataset": "brief_rows", "format": "alpaca",
                    "sources": [.string(file)], "mapping": .object(mapping),
                ])
        }
        guard let trained else {
            var hyperparameters: [String: JSONValue] = [
                "max_steps": 16, "learning_rate": 0.002, "lora_rank": 16, "per_device_train_batch_size": 8,
            ]
            if let cutoff = facts.cutoff { hyperparameters["cutoff_len"] = .number(Double(cutoff)) }
            return call(
                "train",
                ["iteration": 1, "datasets": ["brief_rows"], "hyperparameters": .object(hyperparameters)])
        }
        if !evaluated {
            return call("eval", ["iteration": 1, "model": .string(trained), "label": "iter1"])
        }
        let promoted = system.contains("Last promotion decision: Promoted")
        return call(
            "log",
            [
                "iteration": 1, "stage": "local", "hypothesis": "training in the evaluation's format",
                "data": ["brief_rows"], "scores": ["baseline", "iter1"],
                "decision": .string(promoted ? "keep" : "discard"), "nextStep": "stop: one iteration allowed",
            ])
    }

    /// The text of the first evaluation prompt the brief shows, between the chat template's user markers.
    static func firstEvaluationPrompt(_ brief: String) -> String? {
        guard let start = brief.range(of: "<|im_start|>user\n"),
            let end = brief.range(of: "<|im_end|>", range: start.upperBound..<brief.endIndex)
        else { return nil }
        return String(brief[start.upperBound..<end.lowerBound])
    }

    /// A shell command that writes 100 rows in the evaluation prompt's form (its number replaced by 0...99, the
    /// answer that number in words) to `scratch/generated.jsonl`.
    static func generator(copying prompt: String) -> String {
        let template = prompt.replacingOccurrences(of: #"\d+"#, with: "{n}", options: .regularExpression)
        let script = """
            import json
            ones = "zero one two three four five six seven eight nine ten eleven twelve thirteen fourteen fifteen sixteen seventeen eighteen nineteen".split()
            tens = "_ _ twenty thirty forty fifty sixty seventy eighty ninety".split()
            def words(n):
                return ones[n] if n < 20 else tens[n // 10] + ("-" + ones[n % 10] if n % 10 else "")
            with open("scratch/generated.jsonl", "w") as out:
                for n in range(100):
                    out.write(json.dumps({"instruction": \(JSONValue.string(template).compactText).replace("{n}", str(n)), "output": words(n)}) + "\\n")
            """
        return "python3 - <<'PY'\n\(script)\nPY\nwc -l scratch/generated.jsonl"
    }
}

/// Part of the serialized demo suite: these runs train for real and must not share the two cores (or the wall-clock
/// budget) with the demo tests.
extension DemoCommandTests {
    /// The quick demo driven by ``BriefReader`` through the real workflow, tools, LlamaFactory and evaluator, and
    /// through the real provider: the model sits behind an OpenAI-compatible server on a loopback socket, and the run
    /// talks to it with `OpenAICompatibleProvider` (streamed text and tool calls, as from a hosted model).
    @Test(.timeLimit(.minutes(20)))
    func aModelThatKnowsOnlyThePromptsDrivesTheDemoTaskToTheEnd() async throws {
        let directory = try TemporaryDirectory()
        let lines = LineCollector()
        let model = ScriptedModelProvider(respond: BriefReader.respond)
        let server = try ChatCompletionsServer(serving: model)
        defer { server.stop() }
        let launcher = RunLauncher(progress: { lines.append($0) }, shell: ShellOptions(unsafe: true))
        let demo = DemoRun(
            settings: .quick, runsDirectory: directory.path("runs"),
            driver: .model(provider: "openai-compatible", model: "brief-reader", baseURL: server.baseURL.absoluteString),
            launcher: launcher)
        let workspace = try await demo.prepare()
        let outcome = try await launcher.run(workspace)
        let transcript = lines.lines.joined(separator: "\n")
        #expect(outcome.ending == .finished, "\(transcript.suffix(3000))")

        let records = try await workspace.openStore().records()
        #expect(records.all(CallDenied.self).isEmpty, "\(records.all(CallDenied.self).map(\.reason))")
        let built = try #require(records.last(DataBuilt.self), "\(transcript.suffix(3000))")
        #expect(built.rows == 64 && built.skipped == 0)
        #expect(records.last(DataValidated.self)?.approved == true)
        let validation = records.all(AgentRecord.ToolReturned.self).last { $0.value.call.name == "data" }?.value.output.content
        #expect(validation?.contains("counted with the model's tokenizer") == true, "\(validation ?? "")")
        let started = try #require(records.last(TrainStarted.self))
        #expect(started.job.hyperparameters["cutoff_len"] == 96, "the cutoff comes from the brief")
        let report = try #require(records.all(EvalReported.self).last { $0.label == "iter1" })
        #expect(report.sampleCount == 40 && report.comparable)
        let decision = try #require(records.last(CandidateEvaluated.self))
        let logged = try #require(records.last(IterationRecord.self))
        #expect(logged.decision == (decision.promoted ? .keep : .discard))
        if let out = ProcessInfo.processInfo.environment["AUTOTRAINESS_TRANSCRIPT_OUT"] {
            let text = Self.transcript(records, replacing: directory.url.path)
            try Data(text.utf8).write(to: URL(fileURLWithPath: out))
        }
        // Every model turn went over HTTP: the server decoded what the provider sent (the tool results included).
        #expect(server.requests.count == model.requests.count && !server.requests.isEmpty)
        #expect(server.httpRequests.allSatisfy { $0.json["stream"]?.boolValue == true })
        #expect(server.requests.last?.messages.contains { $0.role == .tool && !$0.text.isEmpty } == true)
        print(
            "DemoCommandTests (brief reader over HTTP): \(model.requests.count) model requests, \(records.all(AgentRecord.ToolCalled.self).count) "
                + "tool calls; iter1 \(report.score) (promoted: \(decision.promoted))")
    }

    /// The run as a reader sees it: every message the model received or wrote and every tool result, in order.
    static func transcript(_ records: [ExperimentRecord], replacing temporary: String) -> String {
        var parts = [
            "# Transcript: the quick demo driven by a model that knows only its prompts",
            "",
            "The model sits behind an OpenAI-compatible server on a loopback socket; the run reaches it through "
                + "`OpenAICompatibleProvider` with streamed tool calls, as it would a hosted model.",
            "",
            "Regenerated by `scripts/regenerate-transcript.sh` (the test `aModelThatKnowsOnlyThePromptsDrivesTheDemoTaskToTheEnd`); paths of the test's "
                + "temporary folder read `<tmp>`, the home folder `~`. The budget and status lines the run adds to the system message on "
                + "every turn are not repeated here.",
        ]
        for record in records {
            if let stage = record.decode(StageEntered.self) { parts += ["", "---", "", "## Stage \(stage.stage)"] }
            if let message = record.decode(AgentRecord.MessageAdded.self)?.value {
                parts += ["", "### \(message.role.rawValue)"]
                if !message.text.isEmpty { parts += ["", "```text", message.text, "```"] }
                for call in message.toolCalls { parts += ["", "call `\(call.name)` `\(call.arguments)`"] }
            }
            if let result = record.decode(AgentRecord.ToolReturned.self)?.value {
                parts += ["", "### tool result (\(result.call.name)\(result.output.isError ? ", error" : ""))", "", "```text",
                          result.output.content, "```"]
            }
        }
        return parts.joined(separator: "\n").replacingOccurrences(of: temporary, with: "<tmp>")
            .replacingOccurrences(of: FileManager.default.homeDirectoryForCurrentUser.path + "/", with: "~/") + "\n"
    }

    /// A task the test writes (numbers 100–139 in words), with no training data: the model reads the evaluation
    /// prompt's form in the brief, writes a generator with the shell tool, builds, validates, trains and evaluates.
    @Test(.timeLimit(.minutes(20)))
    func withoutTrainingDataTheModelGeneratesItWithTheShell() async throws {
        let directory = try TemporaryDirectory()
        let lines = LineCollector()
        let launcher = RunLauncher(
            progress: { lines.append($0) }, providerOverride: ScriptedModelProvider(respond: BriefReader.respond),
            shell: ShellOptions(unsafe: true))
        let demo = DemoRun(settings: .quick, runsDirectory: directory.path("runs"), launcher: launcher)
        try await launcher.python.ensure(progress: { lines.append($0) })
        let base = try await demo.provisionModel()
        let ones = ["zero", "one", "two", "three", "four", "five", "six", "seven", "eight", "nine", "ten", "eleven",
                    "twelve", "thirteen", "fourteen", "fifteen", "sixteen", "seventeen", "eighteen", "nineteen"]
        let tens = ["", "", "twenty", "thirty"]
        func words(_ n: Int) -> String {
            let rest = n % 100
            let tail = rest < 20 ? ones[rest] : tens[rest / 10] + (rest % 10 > 0 ? "-" + ones[rest % 10] : "")
            return "one hundred" + (rest > 0 ? " and " + tail : "")
        }
        let items = (100..<140).map { n in
            JSONValue.object([
                "id": .string("n\(n)"), "prompt": .string("Write the number \(n) in words, nothing else: \(n)"),
                "target": .string(words(n)), "scorer": "exact",
            ]).compactText
        }
        try directory.write(items.joined(separator: "\n") + "\n", to: "task/test.jsonl")
        let spec = TaskSpec(
            name: "number-names", description: "Teach the base model to write a number in English words, nothing else.",
            baseModel: base.path, template: DemoModel.smolLM2.llamaFactoryTemplate,
            benchmark: BenchmarkSpec(
                name: "number-names", evaluator: .local, file: directory.path("task/test.jsonl").path, size: 40,
                maxNewTokens: 12, batchSize: 20, contaminationFields: ["prompt", "target"]),
            budget: "20m", reserve: "2m", cutoffLength: 64, dataRoots: [], maxIterations: 1)
        let workspace = try launcher.create(
            spec: spec, runsDirectory: directory.path("runs"),
            driver: .model(provider: "scripted", model: "brief-reader", baseURL: nil))
        let outcome = try await launcher.run(workspace)
        let transcript = lines.lines.joined(separator: "\n")
        #expect(outcome.ending == .finished, "\(transcript.suffix(3000))")

        let records = try await workspace.openStore().records()
        #expect(records.all(CallDenied.self).isEmpty, "\(records.all(CallDenied.self).map(\.reason))")
        let generated = try #require(records.all(AgentRecord.ToolReturned.self).first { $0.value.call.name == "run_command" })
        #expect(!generated.value.output.isError && generated.value.output.content.contains("100"), "\(generated.value.output.content)")
        let built = try #require(records.last(DataBuilt.self), "\(transcript.suffix(3000))")
        #expect(built.rows == 100)
        #expect(records.last(DataValidated.self)?.approved == true, "\(records.last(DataValidated.self)?.reasons ?? [])")
        #expect(try #require(records.last(TrainStarted.self)).job.hyperparameters["cutoff_len"] == 64)
        let report = try #require(records.all(EvalReported.self).last { $0.label == "iter1" })
        #expect(report.comparable)
        #expect(records.last(IterationRecord.self) != nil)
        print("DemoCommandTests (brief reader, generated data): iter1 \(report.score), baseline "
            + "\(records.all(EvalReported.self).first?.score ?? -1)")
    }
}
