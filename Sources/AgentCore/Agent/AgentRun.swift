import Logging

/// One execution of the tool loop for ``Agent/run(_:in:)``: calls the model, runs tools, updates the session,
/// emits events and records them.
struct AgentRun: Sendable {
    let agent: Agent
    let session: AgentSession
    let continuation: AsyncThrowingStream<AgentEvent, any Error>.Continuation
    let redactor: SecretRedactor
    let toolsByName: [String: AnyTool]
    /// The agent's logger with secrets redacted; tools get it too.
    let logger: Logger

    init(agent: Agent, session: AgentSession, continuation: AsyncThrowingStream<AgentEvent, any Error>.Continuation) {
        self.agent = agent
        self.session = session
        self.continuation = continuation
        redactor = SecretRedactor(secrets: agent.secrets)
        logger = agent.logger.redacting(redactor)
        toolsByName = Dictionary(agent.tools.map { ($0.name, $0) }, uniquingKeysWith: { first, _ in first })
    }

    /// Runs the loop to its end; the session is released before `.finished` is delivered, so a consumer may
    /// continue the session as soon as it sees that event.
    func execute(_ input: String) async throws {
        if agent.limits.maxCostUSD != nil,
            agent.prices.price(for: agent.model) == nil || session.totalCostUSD == nil
        {
            throw AgentError.unpricedModel(agent.model)
        }
        var names = Set<String>()
        for tool in agent.tools where !names.insert(tool.name).inserted {
            throw AgentError.duplicateToolName(tool.name)
        }
        try session.begin()
        let outcome: AgentOutcome
        do {
            outcome = try await loop(input)
            try await record(.finished(outcome))
        } catch {
            session.end()
            throw error
        }
        session.end()
        logger.debug("agent finished", metadata: ["reason": "\(outcome.reason)", "turns": "\(outcome.turns)"])
        continuation.yield(.finished(outcome))
    }

    private func loop(_ input: String) async throws -> AgentOutcome {
        if session.context.isEmpty, !agent.instructions.isEmpty {
            try await append(.system(redactor.redact(agent.instructions)))
        }
        try await append(.user(redactor.redact(input)))
        var turn = 0
        var finalText = ""
        func outcome(_ reason: AgentStopReason) -> AgentOutcome {
            AgentOutcome(
                reason: reason, finalText: finalText, turns: turn, totalUsage: session.totalUsage,
                totalCostUSD: session.totalCostUSD)
        }
        while true {
            if let limit = exhaustedLimit(turns: turn) { return outcome(.budgetExhausted(limit)) }
            turn += 1
            try await emit(.turnStarted(turn: turn))
            try await fitContext()
            let response = try await callModel()
            try await append(.assistant(response.text, toolCalls: response.calls))
            finalText = response.text
            let turnCost = agent.prices.cost(of: response.usage, model: agent.model)
            let totals = session.record(turnUsage: response.usage, turnCostUSD: turnCost)
            try await emit(
                .usage(
                    AgentUsage(
                        turn: turn, turnUsage: response.usage, totalUsage: totals.usage, turnCostUSD: turnCost,
                        totalCostUSD: totals.costUSD)))
            guard !response.calls.isEmpty else {
                let done = response.finish == .stop || response.finish == .toolCalls
                return outcome(done ? .completed : .modelStopped(response.finish))
            }
            try await runTools(response.calls)
        }
    }

    private func exhaustedLimit(turns: Int) -> BudgetLimit? {
        let limits = agent.limits
        if let limit = limits.maxTurns, turns >= limit { return .turns(limit: limit) }
        let used = session.totalUsage.totalTokens
        if let limit = limits.maxTotalTokens, used >= limit { return .tokens(limit: limit, used: used) }
        if let limit = limits.maxCostUSD, let spent = session.totalCostUSD, spent >= limit {
            return .costUSD(limit: limit, spent: spent)
        }
        return nil
    }

    private func fitContext() async throws {
        let conversation = session.conversation
        let fit = try await agent.contextPolicy.fit(conversation)
        if fit.messages != conversation.messages { session.replaceContext(fit.messages) }
        if let compaction = fit.compaction { try await emit(.contextCompacted(compaction)) }
    }

    private struct ModelTurn {
        var text = ""
        var calls: [ToolCall] = []
        var usage = Usage.zero
        var finish = FinishReason.stop
    }

    private func callModel() async throws -> ModelTurn {
        let request = ModelRequest(
            model: agent.model, messages: session.context, tools: agent.tools.map(\.definition),
            maxOutputTokens: agent.maxOutputTokens, temperature: agent.temperature)
        var turn = ModelTurn()
        var text = redactor
        func flushText() async throws {
            let rest = text.flush()
            guard !rest.isEmpty else { return }
            turn.text += rest
            try await emit(.textDelta(rest))
        }
        for try await event in agent.provider.stream(request) {
            switch event {
            case .textDelta(let piece):
                let safe = text.feed(piece)
                guard !safe.isEmpty else { continue }
                turn.text += safe
                try await emit(.textDelta(safe))
            case .toolCall(let call):
                try await flushText()
                let call = redactor.redact(call)
                turn.calls.append(call)
                logger.debug("tool call", metadata: ["tool": "\(call.name)", "id": "\(call.id)"])
                try await emit(.toolCall(call))
            case .usage(let usage):
                turn.usage += usage
            case .finished(let reason):
                turn.finish = reason
            }
        }
        try Task.checkCancellation()
        try await flushText()
        return turn
    }

    private enum Execution: Sendable {
        case finished(ToolOutput)
        case cancelled
        case stopped(any Error)
    }

    /// Reviews the calls in order, runs the allowed ones concurrently, and appends every result in call order.
    private func runTools(_ calls: [ToolCall]) async throws {
        var outputs = [ToolOutput?](repeating: nil, count: calls.count)
        var runnable: [(index: Int, tool: AnyTool)] = []
        for (index, call) in calls.enumerated() {
            guard let tool = toolsByName[call.name] else {
                let available = agent.tools.map(\.name).joined(separator: ", ")
                outputs[index] = .error(
                    "Unknown tool '\(call.name)'. Available tools: \(available.isEmpty ? "none" : available). "
                        + "Call one of these by its exact name.")
                continue
            }
            if let review = agent.toolCallReview, case .deny(let reason) = await review(call) {
                let reason = redactor.redact(reason)
                try await emit(.toolDenied(call, reason: reason))
                outputs[index] = .error("Denied: \(reason)")
                continue
            }
            runnable.append((index, tool))
        }

        var stopping: (any Error)?
        await withTaskGroup(of: (Int, Execution).self) { group in
            for (index, tool) in runnable {
                let call = calls[index]
                let context = ToolContext(callID: call.id, logger: logger)
                group.addTask {
                    do {
                        return (index, .finished(try await tool.call(arguments: call.arguments, in: context)))
                    } catch is CancellationError {
                        return (index, .cancelled)
                    } catch {
                        return (index, .stopped(error))
                    }
                }
            }
            for await (index, execution) in group {
                switch execution {
                case .finished(let output):
                    outputs[index] = output
                case .cancelled:
                    outputs[index] = .error("Not completed: the run was stopped while this call was running.")
                case .stopped(let error):
                    stopping = stopping ?? error
                    outputs[index] = .error("Not completed: the run stopped: \(error)")
                    group.cancelAll()
                }
            }
        }

        for (index, call) in calls.enumerated() {
            let output = redactor.redact(outputs[index] ?? .error("Not run."))
            if output.isError {
                logger.debug(
                    "tool error",
                    metadata: ["tool": "\(call.name)", "error": "\(output.content.prefix(200))"])
            }
            session.append(.toolResult(callID: call.id, output))
            try await emit(.toolResult(ToolResult(call: call, output: output)))
        }
        if let stopping { throw stopping }
        try Task.checkCancellation()
    }

    private func append(_ message: Message) async throws {
        session.append(message)
        if let store = agent.store { try await store.append(AgentEvent.messageRecord(message)) }
    }

    private func emit(_ event: AgentEvent) async throws {
        try await record(event)
        continuation.yield(event)
    }

    private func record(_ event: AgentEvent) async throws {
        guard let store = agent.store, let record = event.experimentRecord else { return }
        try await store.append(record)
    }
}
