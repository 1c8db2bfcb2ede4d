public import AgentCore
public import Evaluation
public import Foundation
public import Runtime

/// Where `data action=generate mode=teacher` may get answers: a language model outside the run, allowed only
/// when the task's policy allows external models (PostTrainBench v1.1 forbids it; the refusal names the rule).
public struct TeacherPolicy: Sendable {
    /// The teacher, when one is configured.
    public var provider: (any ModelProvider)?
    public var model: String?
    /// The rule forbidding external models, when one applies.
    public var forbiddenBy: String?

    public init(provider: (any ModelProvider)? = nil, model: String? = nil, forbiddenBy: String? = nil) {
        self.provider = provider
        self.model = model
        self.forbiddenBy = forbiddenBy
    }
}

/// Rejection sampling: k answers per prompt (from a local model or a teacher), each scored by a verifier against
/// the prompt's reference with the benchmark's scorers; the first verified answer of each prompt is kept.
public struct AnswerSampling: Sendable {
    /// One prompt with the reference its answers are verified against.
    public struct Prompt: Sendable, Hashable {
        public var id: String
        public var prompt: String
        public var reference: String
        public init(id: String, prompt: String, reference: String) {
            self.id = id
            self.prompt = prompt
            self.reference = reference
        }
    }

    /// What sampling kept.
    public struct Outcome: Sendable {
        /// Dataset rows (alpaca): the prompt and its first verified answer.
        public var rows: [JSONValue]
        public var prompts: Int
        public var samples: Int
        /// Samples the verifier accepted.
        public var accepted: Int
        /// Prompts with at least one verified answer.
        public var promptsKept: Int
        public var acceptanceRate: Double { samples == 0 ? 0 : Double(accepted) / Double(samples) }
    }

    public var verifier: BenchmarkScorer

    public init(verifier: BenchmarkScorer) { self.verifier = verifier }

    /// Keeps the first verified answer of each prompt.
    public func keep(_ prompts: [Prompt], answers: [[String]]) -> Outcome {
        var rows: [JSONValue] = []
        var accepted = 0
        var samples = 0
        for (prompt, candidates) in zip(prompts, answers) {
            let item = BenchmarkItem(id: prompt.id, prompt: prompt.prompt, target: prompt.reference, scorer: verifier)
            var first: String?
            for answer in candidates {
                samples += 1
                if (AnswerMatching.score(answer, for: item) ?? 0) >= 1 {
                    accepted += 1
                    first = first ?? answer
                }
            }
            if let first {
                rows.append(["instruction": .string(prompt.prompt), "input": "", "output": .string(first)])
            }
        }
        return Outcome(rows: rows, prompts: prompts.count, samples: samples, accepted: accepted, promptsKept: rows.count)
    }

    /// k answers per prompt from a local model folder (`Python/scripts/evaluation/generate.py`, sampled).
    /// - Throws: ``DatasetBuildError`` when generation fails.
    public static func localAnswers(
        _ prompts: [Prompt], model: URL, k: Int, temperature: Double, maxNewTokens: Int, seed: UInt64,
        python: PythonEnvironment
    ) async throws -> [[String]] {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("sample-\(UUID().uuidString)")
        try FileManager.default.createDirectory(at: folder, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: folder) }
        let input = folder.appendingPathComponent("prompts.jsonl")
        let output = folder.appendingPathComponent("answers.jsonl")
        try Data(
            (prompts.map { JSONValue.object(["id": .string($0.id), "prompt": .string($0.prompt)]).compactText }
                .joined(separator: "\n") + "\n").utf8
        ).write(to: input)
        let arguments = [
            PackageResources.python.appendingPathComponent("scripts/evaluation/generate.py").path,
            "--model-path", model.path, "--input", input.path, "--output", output.path,
            "--info-file", folder.appendingPathComponent("info.json").path, "--max-new-tokens", String(maxNewTokens),
            "--batch-size", "4", "--samples", String(k), "--temperature", String(temperature), "--seed", String(seed),
        ]
        let outcome = try await python.withCores(deadline: nil) { threads in
            try await ProcessRunner.run(
                ProcessSpec(
                    executable: python.pythonExecutable.path, arguments: arguments,
                    environment: python.processEnvironment(threads: threads)))
        }
        guard outcome.exitCode == 0 else {
            throw DatasetBuildError(
                "sampling from \(model.path) failed: " + outcome.outputTail.suffix(3).joined(separator: " | "))
        }
        let answers = try DatasetBuilder.readRows(output)
        let byID = Dictionary(answers.compactMap { row -> (String, [String])? in
            guard let id = row["id"]?.stringValue else { return nil }
            let all = row["outputs"]?.arrayValue?.compactMap(\.stringValue) ?? [row["output"]?.stringValue ?? ""]
            return (id, all)
        }, uniquingKeysWith: { first, _ in first })
        return prompts.map { byID[$0.id] ?? [] }
    }

    /// k answers per prompt from a teacher model.
    public static func teacherAnswers(
        _ prompts: [Prompt], provider: any ModelProvider, model: String, k: Int, temperature: Double, maxTokens: Int
    ) async throws -> [[String]] {
        var answers: [[String]] = []
        for prompt in prompts {
            var candidates: [String] = []
            for _ in 0..<k {
                let response = try await provider.respond(
                    ModelRequest(
                        model: model, messages: [.user(prompt.prompt)], maxOutputTokens: maxTokens,
                        temperature: temperature))
                candidates.append(response.message.text)
            }
            answers.append(candidates)
        }
        return answers
    }
}
