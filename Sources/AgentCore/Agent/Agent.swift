public import Logging

/// A tool-using agent: it sends the conversation to a model, runs the tools the model asks for, feeds their results
/// back, and repeats until the model answers without a tool call or a limit is reached.
///
/// ```swift
/// let agent = Agent(provider: provider, model: "claude-sonnet-4-5", instructions: "You post-train models.",
///                   tools: [AnyTool(ReadFile(root: workspace))], limits: AgentLimits(maxCostUSD: 5))
/// for try await event in agent.run("Improve GSM8K accuracy") { print(event) }
/// ```
///
/// Tool calls of one turn run concurrently; their results are appended in call order. Before each call the
/// ``toolCallReview`` hook may deny it; denied calls and calls to unknown tools are not run, and the model reads why
/// as an error result. Every text, argument and output that reaches an event, the transcript, the log or the store
/// has the ``secrets`` redacted.
public struct Agent: Sendable {
    /// The model behind the agent.
    public var provider: any ModelProvider
    /// The model name sent with each request and used for pricing.
    public var model: String
    /// The system instructions, sent first when a session starts.
    public var instructions: String
    /// The tools the model may call.
    public var tools: [AnyTool]
    /// When a run must stop.
    public var limits: AgentLimits
    /// Keeps the context inside the model's window.
    public var contextPolicy: any ContextPolicy
    /// Prices the provider's reported usage.
    public var prices: PriceTable
    /// Decides about each tool call before it runs; `nil` allows every call.
    public var toolCallReview: (@Sendable (ToolCall) async -> ToolCallDecision)?
    /// Where every event is recorded as an ``ExperimentRecord``; `nil` records nothing.
    public var store: (any ExperimentStore)?
    /// Secret values redacted from everything the agent emits or keeps.
    public var secrets: [String]
    /// The most tokens the model may write per turn; `nil` leaves it to the provider.
    public var maxOutputTokens: Int?
    /// The sampling temperature; `nil` leaves it to the provider.
    public var temperature: Double?
    /// Where the agent logs its steps at debug level, with ``secrets`` redacted; tools get the same redacting logger.
    public var logger: Logger

    /// Creates an agent.
    /// - Parameters:
    ///   - provider: the model provider.
    ///   - model: the model name.
    ///   - instructions: the system instructions; empty sends none.
    ///   - tools: the tools the model may call (names must be unique).
    ///   - limits: turn, token and dollar limits (default: 50 turns per run).
    ///   - contextPolicy: keeps the context bounded (default ``SummarizingContextPolicy`` at 100,000 tokens).
    ///   - prices: per-model prices (default ``PriceTable/standard``).
    ///   - toolCallReview: decides about each call before it runs.
    ///   - store: records every event.
    ///   - secrets: values to redact (default: the secret variables of the process environment,
    ///     see ``Secrets/values(in:)``).
    ///   - maxOutputTokens: the per-turn output limit.
    ///   - temperature: the sampling temperature.
    ///   - logger: the logger (default label `autotrainess.agent`).
    public init(
        provider: any ModelProvider,
        model: String,
        instructions: String = "",
        tools: [AnyTool] = [],
        limits: AgentLimits = AgentLimits(),
        contextPolicy: any ContextPolicy = SummarizingContextPolicy(),
        prices: PriceTable = .standard,
        toolCallReview: (@Sendable (ToolCall) async -> ToolCallDecision)? = nil,
        store: (any ExperimentStore)? = nil,
        secrets: [String] = Secrets.values(),
        maxOutputTokens: Int? = nil,
        temperature: Double? = nil,
        logger: Logger = Logger(label: "autotrainess.agent")
    ) {
        self.provider = provider
        self.model = model
        self.instructions = instructions
        self.tools = tools
        self.limits = limits
        self.contextPolicy = contextPolicy
        self.prices = prices
        self.toolCallReview = toolCallReview
        self.store = store
        self.secrets = secrets
        self.maxOutputTokens = maxOutputTokens
        self.temperature = temperature
        self.logger = logger
    }

    /// Sends `input` as the next user message of `session` and runs the tool loop.
    ///
    /// The stream ends with ``AgentEvent/finished(_:)`` when the model answers or a limit is reached. It throws
    /// when the provider fails, the store cannot record, a tool throws an ``AgentStoppingError``, or the agent
    /// cannot start (an ``AgentError``: the session is already running, duplicate tool names, an unpriced model
    /// under a dollar limit). Cancelling the consuming task or dropping the stream stops
    /// the model stream and the running tools; the calls that did not finish get error results in the transcript.
    /// - Parameters:
    ///   - input: the task (for a new session) or the next user message (to continue one).
    ///   - session: the conversation to continue; a new one by default.
    /// - Returns: the run's events.
    public func run(_ input: String, in session: AgentSession = AgentSession()) -> AsyncThrowingStream<
        AgentEvent, any Error
    > {
        .producing { continuation in
            try await AgentRun(agent: self, session: session, continuation: continuation).execute(input)
        }
    }
}
