import Foundation

/// The agent-facing rules of a PostTrainBench prompt version, in plain words, one line each (from the task
/// contract's section 6; the v1.1 rules are the numbered list of its prompt template).
public enum PostTrainBenchRules: String, Sendable, Hashable, Codable, CaseIterable {
    case v1
    case v1_1 = "v1.1"

    /// The rule that forbids asking an outside model for training data, when the version has one.
    public var externalModelsRule: String? {
        self == .v1_1
            ? "PostTrainBench v1.1 forbids calling external language models (rule 9: never use API keys from the "
                + "environment to call external LLMs)"
            : nil
    }

    /// The rules, each with what enforces it in this run where code can.
    public func lines(model: String, hours: Double, hasTestCopy: Bool) -> [String] {
        let hoursText = hours == hours.rounded() ? String(Int(hours)) : String(format: "%.1f", hours)
        let gate = hasTestCopy ? ", through our index and the task's contamination_check.py)." : ")."
        var lines = [
            "PostTrainBench \(rawValue): work autonomously; there is no user to ask.",
            "At most \(hoursText) hours in all; `bash timer.sh` in the task folder says what is left (the run's "
                + "budget follows it).",
            "No test questions or answers in training data (the contamination gate refuses a dataset that "
                + "overlaps the benchmark" + gate,
        ]
        if self == .v1_1 {
            lines.append(
                "No training data derived from specific test items (paraphrases, perturbations, item-seeded "
                    + "generation, hand-written coverage), even without verbatim overlap; matching the style, format, "
                    + "domain or difficulty is allowed. A clean contamination check does not license test-derived data.")
        }
        lines += [
            "Do not edit evaluate.py or templates/ (they are hashed: a change blocks evaluation and ends the run as "
                + "tampered).",
            "Work only inside the task folder tree (the Hugging Face cache in the home folder is allowed).",
            "final_model/ must load in the starting environment (the run only ever submits checked, loadable "
                + "candidates, and copies the submission into the task folder when it ends).",
            "Fine-tune only \(model); no instruct checkpoints or other models (final_model/config.json must match "
                + "its architecture: model_type, hidden_size, layers, heads, key-value heads, intermediate_size, "
                + "head_dim).",
        ]
        if self == .v1_1 {
            lines.append(
                "Never use API keys from the environment to call external language models (the agent's shell has "
                    + "no keys, and `data action=generate mode=teacher` is refused).")
        }
        return lines
    }
}
