import AgentCore
import AgentTesting
import Testing

@Suite struct ContextPolicyTests {
    /// Returns a 600-character chunk of a long document.
    struct ReadChunk: Tool {
        struct Arguments: Decodable, Sendable { let n: Int }

        let name = "read_chunk"
        let description = "Reads chunk n."
        let parameters = JSONSchema.object(properties: ["n": .integer()], required: ["n"])

        func call(_ arguments: Arguments, in context: ToolContext) async throws -> ToolOutput {
            ToolOutput("chunk \(arguments.n)\n" + String(repeating: "lorem ipsum ", count: 50))
        }
    }

    /// Every tool call in `messages` is answered right after its assistant message, and every result has its call.
    func pairsAreWhole(_ messages: [Message]) -> Bool {
        var open: [String] = []
        for message in messages {
            switch message.role {
            case .tool:
                guard let id = message.toolCallID, open.first == id else { return false }
                open.removeFirst()
            default:
                guard open.isEmpty else { return false }
                open = message.toolCalls.map(\.id)
            }
        }
        return open.isEmpty
    }

    @Test func aFiveHundredTurnRunKeepsItsPromptBounded() async throws {
        let turns = 500
        let model = ScriptedModelProvider { _, index in
            index < turns
                ? .toolCalls([
                    call("a\(index)", "read_chunk", #"{"n":\#(2 * index)}"#),
                    call("b\(index)", "read_chunk", #"{"n":\#(2 * index + 1)}"#),
                ])
                : .text("Read everything.")
        }
        let policy = SummarizingContextPolicy(maxTokens: 3000)
        let agent = Agent(
            provider: model, model: "scripted", instructions: "Read the document.", tools: [AnyTool(ReadChunk())],
            limits: .unlimited, contextPolicy: policy, secrets: [])
        let session = AgentSession()
        let (events, error) = await collect(agent.run("Read all 1000 chunks", in: session))
        #expect(error == nil)
        #expect(events.outcome?.reason == .completed)
        #expect(model.requests.count == turns + 1)

        let sizes = model.requests.map { TokenEstimator.tokens(in: $0.messages) }
        #expect(sizes.max()! <= 3000)
        let head: [Message] = [.system("Read the document."), .user("Read all 1000 chunks")]
        #expect(model.requests.allSatisfy { Array($0.messages.prefix(2)) == head })
        #expect(model.requests.allSatisfy { pairsAreWhole($0.messages) })
        let compactions = events.filter { if case .contextCompacted = $0 { true } else { false } }
        #expect(compactions.count > 50)

        let last = try #require(model.requests.last?.messages)
        let summary = last[2].text
        #expect(summary.hasPrefix(SummarizingContextPolicy.summaryHeader))
        #expect(summary.contains("earlier steps omitted"))
        #expect(summary.contains(#"read_chunk({"n":"#))
        #expect(summary.contains("-> ok: chunk "))
        #expect(session.messages.count == 2 + turns * 3 + 1)
    }

    @Test func providerReportedUsageDrivesCompaction() async throws {
        let usage = Usage(inputTokens: 5000, outputTokens: 10)
        let model = ScriptedModelProvider(turns: [
            .toolCalls([call("c1", "read_chunk", #"{"n":1}"#)], usage: usage),
            .toolCalls([call("c2", "read_chunk", #"{"n":2}"#)], usage: usage),
            .text("Done."),
        ])
        let agent = Agent(
            provider: model, model: "scripted", tools: [AnyTool(ReadChunk())],
            contextPolicy: SummarizingContextPolicy(maxTokens: 3000), secrets: [])
        let (events, error) = await collect(agent.run("Read two chunks"))
        #expect(error == nil)
        // By the heuristic alone the context stays far below 3000 tokens; the reported 5010 tokens do not.
        #expect(model.requests.allSatisfy { TokenEstimator.tokens(in: $0.messages) < 1000 })
        let compactions = events.compactMap { if case .contextCompacted(let c) = $0 { c } else { nil } }
        #expect(compactions.count == 1)
        #expect(compactions.first?.foldedMessages == 2)
        #expect(compactions.first.map { $0.tokensBefore > 5000 } == true)
        let third = model.requests[2].messages
        #expect(third.map(\.role) == [.user, .user, .assistant, .tool])
        #expect(third[1].text.contains(#"read_chunk({"n":1}) -> ok: chunk 1"#))
    }

    @Test func aSmallContextIsLeftAlone() async throws {
        let messages: [Message] = [.system("s"), .user("task"), .assistant("done")]
        let fit = try await SummarizingContextPolicy(maxTokens: 1000).fit(ConversationContext(messages: messages))
        #expect(fit.messages == messages)
        #expect(fit.compaction == nil)
    }

    @Test func compactionFoldsWholeTurnsAndKeepsTheLatest() async throws {
        let big = "chunk body\n" + String(repeating: "x", count: 400)
        var messages: [Message] = [.system("s"), .user("task")]
        for index in 0..<6 {
            let calls = [call("c\(index)", "read_chunk"), call("d\(index)", "add")]
            messages.append(.assistant("step \(index)", toolCalls: calls))
            messages.append(.toolResult(callID: "c\(index)", ToolOutput(big)))
            messages.append(.toolResult(callID: "d\(index)", .error("bad sum\nmore")))
        }
        let policy = SummarizingContextPolicy(maxTokens: 500, targetTokens: 400, maxSummaryTokens: 200)
        let fit = try await policy.fit(ConversationContext(messages: messages))
        let compaction = try #require(fit.compaction)
        #expect(fit.messages.prefix(2) == [.system("s"), .user("task")])
        #expect(pairsAreWhole(Array(fit.messages.dropFirst(3))))
        #expect(fit.messages.last == messages.last)
        #expect(compaction.foldedMessages == messages.count - fit.messages.count + 1)
        #expect(compaction.tokensAfter < compaction.tokensBefore)
        #expect(fit.messages[2].text.contains("- assistant: step 0"))
        #expect(fit.messages[2].text.contains("- add({}) -> error: bad sum"))
        #expect(fit.messages[2].text.count <= 800)
    }

    @Test func theLatestTurnIsKeptEvenWhenItAloneIsTooLarge() async throws {
        let huge = String(repeating: "y", count: 8000)
        let messages: [Message] = [
            .system("s"), .user("task"), .assistant("", toolCalls: [call("c1", "read_chunk")]),
            .toolResult(callID: "c1", ToolOutput(huge)),
        ]
        let fit = try await SummarizingContextPolicy(maxTokens: 500).fit(ConversationContext(messages: messages))
        #expect(fit.messages == messages)
    }

    @Test func providerMeasuredTokensReplaceTheEstimateForTheirPrefix() {
        let messages: [Message] = [.system("s"), .user("task"), .assistant("12345678")]
        let measured = ConversationContext(messages: messages, measured: MeasuredTokens(messageCount: 2, tokens: 900))
        #expect(measured.estimatedTokens == 900 + TokenEstimator.overheadPerMessage + 2)
        let estimated = 3 * TokenEstimator.overheadPerMessage + 1 + 1 + 2
        #expect(ConversationContext(messages: messages).estimatedTokens == estimated)
    }

    @Test func theDigestStaysWithinItsLimitAndCountsWhatItDropped() async throws {
        let digest = DigestSummarizer()
        var summary: String? = nil
        for index in 0..<100 {
            let folded: [Message] = [.user("request \(index)"), .assistant("answer \(index)")]
            summary = try await digest.summarize(folded, into: summary, maxCharacters: 300)
            #expect(summary!.count <= 300)
        }
        let lines = summary!.split(separator: "\n")
        #expect(lines.first?.hasPrefix("- (") == true)
        #expect(lines.first?.hasSuffix(" earlier steps omitted)") == true)
        let omitted = Int(lines.first!.dropFirst(3).prefix { $0.isNumber })!
        #expect(omitted + lines.count - 1 == 200)
        #expect(lines.last == "- assistant: answer 99")
    }

    @Test func aModelSummarizerAsksTheModelToMergeTheSteps() async throws {
        let model = ScriptedModelProvider(turns: [.text("- read 6 chunks, all fine")])
        let policy = SummarizingContextPolicy(
            maxTokens: 300, targetTokens: 200, maxSummaryTokens: 50,
            summarizer: ModelSummarizer(provider: model, model: "small"))
        var messages: [Message] = [.system("s"), .user("task")]
        for index in 0..<6 {
            messages.append(.assistant("", toolCalls: [call("c\(index)", "read_chunk", #"{"n":\#(index)}"#)]))
            messages.append(.toolResult(callID: "c\(index)", ToolOutput(String(repeating: "z", count: 200))))
        }
        let fit = try await policy.fit(ConversationContext(messages: messages))
        #expect(fit.messages[2].text == SummarizingContextPolicy.summaryHeader + "\n- read 6 chunks, all fine")
        let request = try #require(model.requests.first)
        #expect(request.model == "small")
        #expect(request.messages[1].text.contains(#"call read_chunk {"n":0}"#))
    }
}
