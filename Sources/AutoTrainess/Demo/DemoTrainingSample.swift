/// One training sample in LlamaFactory's alpaca shape.
public struct DemoTrainingSample: Sendable, Hashable, Codable {
    /// The user message.
    public var instruction: String
    /// Extra input appended to the instruction; empty for this task.
    public var input: String
    /// The answer the model is trained to give.
    public var output: String

    /// A sample with an empty `input`.
    ///
    /// - Parameters:
    ///   - instruction: the user message.
    ///   - output: the answer the model is trained to give.
    public init(instruction: String, output: String) {
        self.instruction = instruction
        self.input = ""
        self.output = output
    }
}
