import AgentCore
import AgentTesting
import DataEngine
import Evaluation
import Foundation
import Interfaces
import Runtime
import Testing

/// The data tool on real files: Parquet, `save_to_disk` folders and CSV read through the managed environment's
/// `datasets`, row selection, provenance manifests, filtering and mixing.
@Suite struct DataConstructionTests {
    /// The managed Python environment, provisioned once (a quick check when it is ready).
    static let python = Task<PythonEnvironment, any Error> {
        let python = PythonEnvironment()
        try await python.ensure(progress: { print("[python environment] \($0)") })
        return python
    }

    /// Writes sources with the venv's own `datasets`: `qa.parquet` (60 rows, topic a/b/c), `qa_dict/` (a
    /// DatasetDict with train 60 and test 5 rows) and `qa_single/` (a Dataset).
    static func writeDatasetSources(in folder: URL, python: PythonEnvironment) async throws {
        let script = """
            import sys, datasets
            sys.modules["torchvision"] = None
            folder = sys.argv[1]
            rows = {"question": [f"What is {i} plus {i}?" for i in range(60)], "answer": [str(2 * i) for i in range(60)],
                    "topic": ["abc"[i % 3] for i in range(60)]}
            ds = datasets.Dataset.from_dict(rows)
            ds.to_parquet(f"{folder}/qa.parquet")
            datasets.DatasetDict({"train": ds, "test": ds.select(range(5))}).save_to_disk(f"{folder}/qa_dict")
            ds.save_to_disk(f"{folder}/qa_single")
            # A hub-cache repository as huggingface_hub downloads one: blobs, snapshot files linked to them, refs/main.
            import hashlib, os
            repo, rev = f"{folder}/hub/datasets--org--qa", "0123456789abcdef0123456789abcdef01234567"
            for sub in ("blobs", f"snapshots/{rev}/data", "refs"):
                os.makedirs(f"{repo}/{sub}")
            for split, part in (("train", ds), ("test", ds.select(range(7)))):
                part.to_parquet(f"{folder}/part.parquet")
                data = open(f"{folder}/part.parquet", "rb").read()
                os.remove(f"{folder}/part.parquet")
                sha = hashlib.sha256(data).hexdigest()
                open(f"{repo}/blobs/{sha}", "wb").write(data)
                os.symlink(f"../../../blobs/{sha}", f"{repo}/snapshots/{rev}/data/{split}-00000-of-00001.parquet")
            open(f"{repo}/refs/main", "w").write(rev)
            """
        let outcome = try await ProcessRunner.run(
            ProcessSpec(
                executable: python.pythonExecutable.path, arguments: ["-c", script, folder.path],
                environment: python.processEnvironment()))
        #expect(outcome.exitCode == 0, "\(outcome.outputTail.suffix(5))")
    }

    static let mapping = #"{"instruction": "{question}", "output": "{answer}"}"#

    @Test(.timeLimit(.minutes(10)))
    func buildReadsParquetDatasetFoldersAndCSVWithSelectionAndAManifest() async throws {
        let python = try await Self.python.value
        let run = try InterfaceTestRun()
        try await Self.writeDatasetSources(in: run.dataFolder, python: python)

        // Parquet, one topic, a seeded sample of 10.
        let built = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "p", "format": "alpaca", "sources": ["qa.parquet"], "#
                + #""where": "topic=b", "sample": 10, "seed": 7, "mapping": \#(Self.mapping)}"#)
        #expect(!built.isError && built.content.contains("10 rows") && built.content.contains("qa.parquet parquet 10/60"),
                "\(built.content)")
        let file = run.root.appendingPathComponent("iterations/1/data/p.json")
        let rows = try DatasetBuilder.readRows(file)
        #expect(rows.count == 10 && rows.allSatisfy { Int($0["output"]?.stringValue ?? "")! % 6 == 2 })
        let manifest = try #require(DatasetManifest.load(for: file))
        let source = try #require(manifest.operations.first?.sources.first)
        #expect(source.kind == "parquet" && source.rowsRead == 60 && source.rowsSelected == 10)
        #expect(source.sha256 == (try FileFingerprint.digest(of: run.dataFolder.appendingPathComponent("qa.parquet"))))
        #expect(manifest.operations.first?.parameters["selection"]?["seed"]?.intValue == 7)

        // The same seed selects the same rows; another seed others.
        _ = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "p2", "format": "alpaca", "sources": ["qa.parquet"], "#
                + #""where": "topic=b", "sample": 10, "seed": 7, "mapping": \#(Self.mapping)}"#)
        _ = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "p3", "format": "alpaca", "sources": ["qa.parquet"], "#
                + #""where": "topic=b", "sample": 10, "seed": 8, "mapping": \#(Self.mapping)}"#)
        let again = try DatasetBuilder.readRows(run.root.appendingPathComponent("iterations/1/data/p2.json"))
        let other = try DatasetBuilder.readRows(run.root.appendingPathComponent("iterations/1/data/p3.json"))
        #expect(again == rows && other != rows)

        // A save_to_disk DatasetDict needs its split; a single Dataset does not take one.
        let noSplit = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "d", "format": "alpaca", "sources": ["qa_dict"], "#
                + #""mapping": \#(Self.mapping)}"#)
        #expect(noSplit.isError && noSplit.content.contains("several splits (train, test)"), "\(noSplit.content)")
        let test = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "d", "format": "alpaca", "sources": ["qa_dict"], "#
                + #""split": "test", "mapping": \#(Self.mapping)}"#)
        #expect(!test.isError && test.content.contains("5 rows") && test.content.contains("save_to_disk"), "\(test.content)")
        let single = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "s", "format": "alpaca", "sources": ["qa_single"], "#
                + #""limit": 12, "mapping": \#(Self.mapping)}"#)
        #expect(!single.isError && single.content.contains("12 rows"), "\(single.content)")

        // A hub-cache repository is read offline at the snapshot its refs/main names.
        let hub = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "h", "format": "alpaca", "#
                + #""sources": ["hub/datasets--org--qa"], "split": "test", "mapping": \#(Self.mapping)}"#)
        #expect(!hub.isError && hub.content.contains("7 rows") && hub.content.contains("hub snapshot 0123456789ab"),
                "\(hub.content)")

        // CSV: a good file reads; a row with an extra field is an error naming the file and line.
        try Data("question,answer\n\"What is 1, plus 1?\",2\nWhat is 2 plus 2?,4\n".utf8)
            .write(to: run.dataFolder.appendingPathComponent("good.csv"))
        try Data("question,answer\nWhat is 1 plus 1?,2\nWhat is 2 plus 2?,4\nWhat is 3 plus 3?,6,six\n".utf8)
            .write(to: run.dataFolder.appendingPathComponent("broken.csv"))
        let csv = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "c", "format": "alpaca", "sources": ["good.csv"], "#
                + #""mapping": \#(Self.mapping)}"#)
        #expect(!csv.isError && csv.content.contains("2 rows"), "\(csv.content)")
        let firstRow = try DatasetBuilder.readRows(run.root.appendingPathComponent("iterations/1/data/c.json")).first
        #expect(firstRow?["instruction"]?.stringValue == "What is 1, plus 1?")
        let broken = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "b", "format": "alpaca", "sources": ["broken.csv"], "#
                + #""mapping": \#(Self.mapping)}"#)
        #expect(broken.isError && broken.content.contains("broken.csv:4") && broken.content.contains("3 fields"),
                "\(broken.content)")
        let unknownField = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "u", "format": "alpaca", "sources": ["qa.parquet"], "#
                + #""where": "subject=b", "mapping": \#(Self.mapping)}"#)
        #expect(unknownField.isError && unknownField.content.contains("'subject'")
                && unknownField.content.contains("answer, question, topic"), "\(unknownField.content)")
    }

    /// Filter drops the planted benchmark items (verbatim, reformatted, one word changed) and the duplicates, and
    /// says how many of each; the manifest keeps both steps.
    @Test func filterDropsPlantedContaminationAndDuplicatesWithCounts() async throws {
        let directory = try TemporaryDirectory()
        let items = (0..<10).map { index in
            "A train leaves station \(index) at \(index + 1) o'clock and travels \(index * 10 + 40) miles per hour "
                + "toward a town \(index * 7 + 90) miles away; at what time does it arrive at the town?"
        }
        let benchmark = items.enumerated().map { index, question in
            JSONValue.object(["id": .string("item-\(index)"), "question": .string(question), "answer": "12"]).compactText
        }
        try directory.write(benchmark.joined(separator: "\n") + "\n", to: "benchmark.jsonl")
        let checker = try EngineDatasetChecker(
            benchmarkFile: directory.path("benchmark.jsonl"), fields: ["question", "answer"])
        let run = try InterfaceTestRun(checker: checker)
        var rows: [[String: JSONValue]] = (0..<30).map { index in
            ["question": .string("Ahmed has \(index) marbles and buys \(index + 3) bags of \(index % 7 + 2) more; "
                + "how many marbles does he have in all after the \(index)th purchase?"),
             "answer": .string("\(index + (index + 3) * (index % 7 + 2))")]
        }
        rows.append(["question": .string(items[1]), "answer": "12"])
        rows.append(["question": .string(items[2].uppercased().replacingOccurrences(of: ";", with: " -")), "answer": "12"])
        rows.append(["question": .string(items[3].replacingOccurrences(of: "travels", with: "drives")), "answer": "12"])
        rows.append(rows[4])
        rows.append(rows[5])
        _ = try run.writeSource("mixed.jsonl", rows: rows)
        let built = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "raw", "format": "alpaca", "sources": ["mixed.jsonl"], "#
                + #""mapping": \#(Self.mapping)}"#)
        #expect(!built.isError, "\(built.content)")
        let sentBack = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "raw"}"#)
        #expect(!sentBack.content.contains("approve ("), "the raw set must not be approved: \(sentBack.content)")

        let filtered = try await run.call(
            "data", #"{"action": "filter", "iteration": 1, "dataset": "clean", "from": "raw"}"#)
        #expect(filtered.content.contains("35 -> 30 rows") && filtered.content.contains("3 contamination")
                && filtered.content.contains("2 duplicate"), "\(filtered.content)")
        let clean = run.root.appendingPathComponent("iterations/1/data/clean.json")
        #expect(try DatasetBuilder.readRows(clean).count == 30)
        let manifest = try #require(DatasetManifest.load(for: clean))
        #expect(manifest.operations.map(\.action) == ["build", "filter"])
        #expect(manifest.operations.last?.dropped == ["contamination": 3, "duplicate": 2])
        let approved = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "clean"}"#)
        #expect(approved.content.contains("clean: approve"), "\(approved.content)")
        #expect(approved.content.contains("lengths against cutoff_len 512: estimated"), "\(approved.content)")
        #expect(DatasetManifest.load(for: clean)?.validation?.verdict == "approve")
    }

    /// A verifier keeps only the rows whose answer is right: at build against a reference field of the source row
    /// (worked solutions against their final answers, two planted wrong), at filter against a field of the dataset row.
    @Test func aVerifierKeepsOnlyRowsWhoseAnswerPassesAtBuildAndFilter() async throws {
        let run = try InterfaceTestRun()
        _ = try run.writeSource(
            "solutions.jsonl",
            rows: (1...12).map { index in
                let wrong = index == 4 || index == 9
                return [
                    "problem": .string("Add \(index) apples and \(index * 3) pears. How many fruits?"),
                    "solution": .string("\(index) + \(index * 3) = \(index * 4 + (wrong ? 1 : 0)). #### \(index * 4 + (wrong ? 1 : 0))"),
                    "final_answer": .string("\(index * 4)"),
                ]
            } + [["problem": "No reference here", "solution": "#### 1"]])
        let built = try await run.call(
            "data",
            #"{"action": "build", "iteration": 1, "dataset": "checked", "sources": ["solutions.jsonl"], "#
                + #""format": "alpaca", "mapping": {"instruction": "{problem}", "output": "{solution}"}, "#
                + #""verifier": "numeric", "reference": "final_answer"}"#)
        #expect(!built.isError && built.content.contains("10 rows"), "\(built.content)")
        #expect(built.content.contains("2 × failed verifier") && built.content.contains("1 × no reference"), "\(built.content)")
        let file = run.root.appendingPathComponent("iterations/1/data/checked.json")
        let manifest = try #require(DatasetManifest.load(for: file))
        #expect(manifest.operations.first?.parameters["verifier"]?["scorer"]?.stringValue == "numeric")
        #expect(manifest.operations.first?.rowsIn == 13 && manifest.operations.first?.rowsOut == 10)

        // At filter: a regex over the answer, the pattern in a field of the row (here the output itself must end
        // in a four-hash answer; rows built without one fail).
        let refused = try await run.call(
            "data", #"{"action": "filter", "iteration": 1, "dataset": "x", "from": "checked", "verifier": "numeric"}"#)
        #expect(refused.isError && refused.content.contains("needs reference"), "\(refused.content)")
        let filtered = try await run.call(
            "data",
            #"{"action": "filter", "iteration": 1, "dataset": "small", "from": "checked", "drop": [], "#
                + #""verifier": "numeric", "reference": "{instruction}"}"#)
        // The instruction's final number is the pears (3n); only a solution whose final number equals it passes: none.
        #expect(filtered.content.contains("10 -> 0 rows") && filtered.content.contains("10 failed_verifier"), "\(filtered.content)")
    }

    @Test func mixTakesApprovedDatasetsByWeightSeededAndValidateNeedsAManifest() async throws {
        let run = try InterfaceTestRun()
        func source(_ name: String, _ count: Int, _ word: String) throws {
            _ = try run.writeSource(
                "\(name).jsonl",
                rows: (0..<count).map { index in
                    ["question": .string("\(word) question number \(index) about \(word) \(index * 13 % 97)?"),
                     "answer": .string("\(word)-\(index)")]
                })
        }
        try source("alpha", 50, "alpha")
        try source("beta", 50, "beta")
        for name in ["alpha", "beta"] {
            _ = try await run.call(
                "data",
                #"{"action": "build", "iteration": 1, "dataset": "\#(name)", "format": "alpaca", "#
                    + #""sources": ["\#(name).jsonl"], "mapping": \#(Self.mapping)}"#)
            let verdict = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "\#(name)"}"#)
            #expect(verdict.content.contains("approve"), "\(verdict.content)")
        }
        let arguments = #"{"action": "mix", "iteration": 1, "dataset": "mixed", "limit": 40, "seed": 3, "#
            + #""parts": [{"dataset": "alpha", "weight": 0.75}, {"dataset": "beta", "weight": 0.25}]}"#
        let mixed = try await run.call("data", arguments)
        #expect(!mixed.isError && mixed.content.contains("alpha 30/50, beta 10/50"), "\(mixed.content)")
        let file = run.root.appendingPathComponent("iterations/1/data/mixed.json")
        let first = try DatasetBuilder.readRows(file)
        _ = try await run.call("data", arguments)
        #expect(try DatasetBuilder.readRows(file) == first, "the same seed gives the same mix")
        #expect(DatasetManifest.load(for: file)?.operations.map(\.action) == ["build", "build", "mix"])
        let unapproved = try await run.call(
            "data", #"{"action": "mix", "iteration": 1, "dataset": "m2", "parts": [{"dataset": "mixed"}]}"#)
        #expect(unapproved.isError && unapproved.content.contains("approved datasets only"), "\(unapproved.content)")

        // A dataset written around the data tool has no manifest: validation refuses it and says how to build it.
        try DatasetBuilder.write(first, to: run.root.appendingPathComponent("iterations/1/data/smuggled.json"))
        let refused = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "smuggled"}"#)
        #expect(refused.isError && refused.content.contains("no provenance manifest"), "\(refused.content)")
    }
}

/// `data action=generate`: a generator script through the agent's shell, and answers from a teacher model kept
/// only when a verifier accepts them, allowed only when the task's policy allows external models.
@Suite struct DataGenerationTests {
    @Test func aGeneratorScriptsOutputIsBuiltWithItsCodeSavedAndInTheManifest() async throws {
        let run = try InterfaceTestRun()
        let generator = """
            import json, sys
            with open(sys.argv[1], "w") as out:
                for n in range(30):
                    out.write(json.dumps({"q": f"What is {n} times 4?", "a": str(n * 4)}) + "\\n")
            """
        let written = try await run.call(
            "write_file", JSONValue.object(["path": "scratch/gen.py", "content": .string(generator)]).compactText)
        #expect(!written.isError, "\(written.content)")
        let output = try await run.call(
            "data",
            #"{"action": "generate", "mode": "script", "script": "scratch/gen.py", "iteration": 1, "dataset": "times", "#
                + #""format": "alpaca", "mapping": {"instruction": "{q}", "output": "{a}"}}"#)
        #expect(!output.isError && output.content.contains("30 rows"), "\(output.content)")
        let data = run.root.appendingPathComponent("iterations/1/data")
        #expect(try String(contentsOf: data.appendingPathComponent("times.generator.py"), encoding: .utf8) == generator)
        let manifest = try #require(DatasetManifest.load(for: data.appendingPathComponent("times.json")))
        #expect(manifest.operations.map(\.action) == ["generate", "build"])
        #expect(manifest.operations.first?.sources.first?.kind == "generator")
        let verdict = try await run.call("data", #"{"action": "validate", "iteration": 1, "dataset": "times"}"#)
        #expect(verdict.content.contains("times: approve"), "\(verdict.content)")

        let broken = try await run.call(
            "write_file", #"{"path": "scratch/bad.py", "content": "raise SystemExit('no data today')"}"#)
        #expect(!broken.isError)
        let failed = try await run.call(
            "data",
            #"{"action": "generate", "mode": "script", "script": "scratch/bad.py", "iteration": 1, "dataset": "bad", "#
                + #""format": "alpaca", "mapping": {"instruction": "{q}", "output": "{a}"}}"#)
        #expect(failed.isError && failed.content.contains("no data today"), "\(failed.content)")
    }

    static let prompts = (1...12).map { ["question": JSONValue.string("What is \($0) plus \($0)?"), "answer": .string("\(2 * $0)")] }
    static let arguments = #"{"action": "generate", "mode": "teacher", "iteration": 1, "dataset": "distilled", "#
        + #""sources": ["prompts.jsonl"], "samples": 2, "verifier": "numeric", "#
        + #""mapping": {"instruction": "{question}", "output": "{answer}"}}"#

    @Test func aTeacherIsRefusedWhenTheTaskForbidsExternalModelsAndVerifiedWhenAllowed() async throws {
        let forbidden = try InterfaceTestRun(
            teacher: TeacherPolicy(forbiddenBy: "PostTrainBench v1.1 rule 9 forbids calling external language models"))
        _ = try forbidden.writeSource("prompts.jsonl", rows: Self.prompts)
        let refused = try await forbidden.call("data", Self.arguments)
        #expect(refused.isError && refused.content.contains("rule 9"), "\(refused.content)")

        // A teacher that answers right on its second try for odd numbers, and right at once for even ones.
        let teacher = ScriptedModelProvider { request, index in
            let prompt = request.messages.last?.text ?? ""
            let number = Int(prompt.split(separator: " ")[2]) ?? 0
            let right = number % 2 == 0 || index % 2 == 1
            return .text(right ? "The sum is \(2 * number)." : "I think it is \(2 * number + 1).")
        }
        let allowed = try InterfaceTestRun(teacher: TeacherPolicy(provider: teacher, model: "teacher-1"))
        _ = try allowed.writeSource("prompts.jsonl", rows: Self.prompts)
        let distilled = try await allowed.call("data", Self.arguments)
        #expect(!distilled.isError && distilled.content.contains("18/24 answers verified (acceptance 75%)")
                && distilled.content.contains("12/12 prompts kept"), "\(distilled.content)")
        let file = allowed.root.appendingPathComponent("iterations/1/data/distilled.json")
        let rows = try DatasetBuilder.readRows(file)
        #expect(rows.count == 12 && rows.allSatisfy { $0["output"]?.stringValue?.hasPrefix("The sum is") == true })
        let manifest = try #require(DatasetManifest.load(for: file))
        #expect(manifest.operations.first?.parameters["acceptanceRate"]?.doubleValue == 0.75)
        #expect(manifest.operations.first?.parameters["model"]?.stringValue == "teacher-1")
    }
}
