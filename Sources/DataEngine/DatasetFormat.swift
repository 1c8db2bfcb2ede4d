/// The dataset shapes LlamaFactory reads, which ``DatasetValidator`` checks.
public enum DatasetFormat: String, Sendable, Hashable, Codable, CaseIterable {
    /// `{"instruction", "input", "output", "system"?, "history"?}` records.
    case alpaca
    /// `{"conversations": [{"from": "human"|"gpt"|…, "value": …}], "system"?}` records
    /// (`messages` with `role`/`content` is accepted too).
    case sharegpt
    /// Pairwise preference records: an alpaca prompt (`instruction`, `input`) or sharegpt `conversations`,
    /// plus `chosen` and `rejected` answers.
    case preference
}
