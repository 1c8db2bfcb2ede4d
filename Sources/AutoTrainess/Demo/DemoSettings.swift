/// How big the demo is: sample counts, the number range, training hyperparameters and generation limits.
///
/// ``standard`` is sized so that, on a 2-core CPU, training, export and both evaluations take
/// well under ten minutes and the trained model beats the base by more than noise; ``quick`` is
/// for CI: it runs every step end to end in a few minutes and need not show a gain.
/// The figures behind the values are in `Python/scripts/demo/MEASUREMENTS.md`; they were measured
/// with LoRA alpha twice the rank, dropout 0, a cosine schedule with 5% warm-up, fp32, no gradient
/// accumulation and training seed 42; since 0.2.0 jobs run with the threads of every free core and without
/// gradient checkpointing when it fits in memory (see `TrainingDefaults`).
public struct DemoSettings: Sendable, Hashable, Codable {
    /// The seed both benchmark splits derive from.
    public var seed: UInt64
    /// Held-out test items evaluated for the baseline and for each candidate.
    public var testCount: Int
    /// Training samples generated (disjoint from the test items).
    public var trainingCount: Int
    /// The numbers the benchmark draws from.
    public var numbers: ClosedRange<Int>
    /// Optimizer steps (LlamaFactory `max_steps`).
    public var maxSteps: Int
    /// Samples per step (`per_device_train_batch_size`; no gradient accumulation).
    public var batchSize: Int
    /// Peak learning rate of the cosine schedule.
    public var learningRate: Double
    /// LoRA rank; alpha is twice the rank, and LoRA targets all linear layers.
    public var loraRank: Int
    /// Longest training sequence in tokens (`cutoff_len`); every demo sample fits.
    public var cutoffLength: Int
    /// Tokens generated per test item at evaluation (greedy).
    public var maxNewTokens: Int
    /// Test items generated together at evaluation.
    public var evaluationBatchSize: Int

    /// Settings with every field given.
    ///
    /// - Parameters:
    ///   - seed: the seed both benchmark splits derive from.
    ///   - testCount: held-out test items.
    ///   - trainingCount: training samples.
    ///   - numbers: the numbers the benchmark draws from.
    ///   - maxSteps: optimizer steps.
    ///   - batchSize: samples per step.
    ///   - learningRate: peak learning rate.
    ///   - loraRank: LoRA rank.
    ///   - cutoffLength: longest training sequence in tokens.
    ///   - maxNewTokens: tokens generated per test item.
    ///   - evaluationBatchSize: test items generated together.
    public init(
        seed: UInt64, testCount: Int, trainingCount: Int, numbers: ClosedRange<Int>, maxSteps: Int, batchSize: Int,
        learningRate: Double, loraRank: Int, cutoffLength: Int, maxNewTokens: Int, evaluationBatchSize: Int
    ) {
        self.seed = seed
        self.testCount = testCount
        self.trainingCount = trainingCount
        self.numbers = numbers
        self.maxSteps = maxSteps
        self.batchSize = batchSize
        self.learningRate = learningRate
        self.loraRank = loraRank
        self.cutoffLength = cutoffLength
        self.maxNewTokens = maxNewTokens
        self.evaluationBatchSize = evaluationBatchSize
    }
}

extension DemoSettings {
    /// The default demo: large enough that the gain over the base model is well beyond noise.
    public static let standard = DemoSettings(
        seed: 20_261_127, testCount: 150, trainingCount: 320, numbers: 1...999_999, maxSteps: 30, batchSize: 8,
        learningRate: 2e-3, loraRank: 16, cutoffLength: 96, maxNewTokens: 8, evaluationBatchSize: 25
    )

    /// The CI demo: every step runs for real, on fewer samples and steps; it need not show a gain.
    public static let quick = DemoSettings(
        seed: 20_261_127, testCount: 40, trainingCount: 64, numbers: 1...999_999, maxSteps: 8, batchSize: 8,
        learningRate: 2e-3, loraRank: 16, cutoffLength: 96, maxNewTokens: 8, evaluationBatchSize: 20
    )
}
