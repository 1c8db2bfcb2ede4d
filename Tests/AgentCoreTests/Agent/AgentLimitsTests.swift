import AgentCore
import AgentTesting
import Testing

@Suite struct AgentLimitsTests {
    /// A model that asks for a tool on every turn, reporting 100 input and 50 output tokens each time.
    func endlessModel() -> ScriptedModelProvider {
        ScriptedModelProvider { _, index in
            .toolCalls([call("c\(index)", "add", #"{"a":1,"b":1}"#)], usage: Usage(inputTokens: 100, outputTokens: 50))
        }
    }

    func agent(_ model: ScriptedModelProvider, limits: AgentLimits, prices: PriceTable = .standard) -> Agent {
        Agent(
            provider: model, model: "scripted", tools: [AnyTool(AddTool())], limits: limits, prices: prices,
            secrets: [])
    }

    @Test func maxTurnsEndsTheRunWithTheLastResultsInTheTranscript() async throws {
        let model = endlessModel()
        let session = AgentSession()
        let (events, error) = await collect(agent(model, limits: AgentLimits(maxTurns: 3)).run("Go", in: session))
        #expect(error == nil)
        #expect(events.outcome?.reason == .budgetExhausted(.turns(limit: 3)))
        #expect(events.outcome?.turns == 3)
        #expect(model.requests.count == 3)
        #expect(session.messages.last?.role == .tool)
    }

    @Test func maxTotalTokensEndsTheRunBeforeTheNextModelCall() async throws {
        let model = endlessModel()
        let limits = AgentLimits(maxTurns: nil, maxTotalTokens: 400)
        let (events, error) = await collect(agent(model, limits: limits).run("Go"))
        #expect(error == nil)
        #expect(events.outcome?.reason == .budgetExhausted(.tokens(limit: 400, used: 450)))
        #expect(model.requests.count == 3)
        let totals = events.compactMap { if case .usage(let usage) = $0 { usage.totalUsage.totalTokens } else { nil } }
        #expect(totals == [150, 300, 450])
    }

    @Test func maxCostEndsTheRunWithTheSpentDollars() async throws {
        let model = endlessModel()
        var prices = PriceTable()
        prices.setPrice(ModelPrice(inputPerMillion: 10_000, outputPerMillion: 20_000), for: "scripted")
        let limits = AgentLimits(maxTurns: nil, maxCostUSD: 5)
        let (events, error) = await collect(agent(model, limits: limits, prices: prices).run("Go"))
        #expect(error == nil)
        #expect(events.outcome?.reason == .budgetExhausted(.costUSD(limit: 5, spent: 6)))
        #expect(events.outcome?.totalCostUSD == 6)
        let costs = events.compactMap { if case .usage(let usage) = $0 { usage.turnCostUSD } else { nil } }
        #expect(costs == [2, 2, 2])
        #expect(model.requests.count == 3)
    }

    @Test func aDollarLimitOnAnUnpricedModelIsRefusedUpFront() async throws {
        let model = endlessModel()
        let (_, error) = await collect(agent(model, limits: AgentLimits(maxCostUSD: 1), prices: PriceTable()).run("Go"))
        #expect(error as? AgentError == .unpricedModel("scripted"))
        #expect(model.requests.isEmpty)
    }

    @Test func anExhaustedSessionStopsAgainWhenContinued() async throws {
        let model = endlessModel()
        let agent = agent(model, limits: AgentLimits(maxTotalTokens: 150))
        let session = AgentSession()
        _ = await collect(agent.run("Go", in: session))
        let (events, _) = await collect(agent.run("Go on", in: session))
        #expect(events.outcome?.reason == .budgetExhausted(.tokens(limit: 150, used: 150)))
        #expect(events.outcome?.turns == 0)
        #expect(model.requests.count == 1)
    }
}
