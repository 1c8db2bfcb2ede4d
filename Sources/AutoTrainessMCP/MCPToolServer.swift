import AgentCore
public import Foundation
public import MCP
import Reporting
public import Workflows

/// Serves a run's tools over the Model Context Protocol, so that Claude Code, Codex or OpenCode can be the agent
/// while the workflow's stages, rules, budget and records stay enforced in code by a ``WorkflowGateway``.
///
/// Tool calls are answered with the gateway's output (`isError` for denials and failures). When a call carries a
/// progress token, the progress lines of the run (training steps, evaluation counts) are sent as
/// `notifications/progress`, which also keeps clients that reset their timeout on progress from giving up on a long
/// training job.
///
/// With the run's folder given, the run's report is served as two resources, built afresh on each read:
/// `autotrainess://run/report.html` (the page `autotrainess report` writes) and `autotrainess://run/report.json`
/// (the ``RunReport`` value).
///
/// ```swift
/// let server = MCPToolServer(gateway: gateway, relay: relay, instructions: "…", runDirectory: run)
/// try await server.serve(over: StdioTransport())   // returns when the client disconnects
/// ```
public struct MCPToolServer: Sendable {
    /// The server's name in the MCP handshake.
    public static let serverName = "autotrainess"

    /// The run's tools, rules and records.
    public let gateway: WorkflowGateway
    /// Where the run's progress lines arrive.
    public let relay: MCPProgressRelay
    /// What the client's model reads about the server in the handshake.
    public let instructions: String
    /// The run's folder, whose report is served as resources; `nil` serves none.
    public let runDirectory: URL?

    /// The report resources' addresses.
    public static let reportPageURI = "autotrainess://run/report.html"
    public static let reportDataURI = "autotrainess://run/report.json"

    /// Creates a server.
    public init(gateway: WorkflowGateway, relay: MCPProgressRelay, instructions: String, runDirectory: URL? = nil) {
        self.gateway = gateway
        self.relay = relay
        self.instructions = instructions
        self.runDirectory = runDirectory
    }

    /// Serves over `transport` until the client disconnects; a call still running then is cancelled (its training
    /// or evaluation processes are stopped) so that nothing outlives the session.
    /// - Throws: transport failures at start.
    public func serve(over transport: any Transport) async throws {
        let server = Server(
            name: Self.serverName, version: AutoTrainessVersion.current, instructions: instructions,
            capabilities: .init(
                resources: runDirectory == nil ? nil : .init(subscribe: false, listChanged: false),
                tools: .init(listChanged: false)))
        let definitions = await gateway.toolDefinitions
        let tools = try definitions.map { definition in
            MCP.Tool(
                name: definition.name, description: definition.description,
                inputSchema: try MCPValue.from(definition.parameters.value))
        }
        let calls = CallRegistry()
        let gateway = gateway
        let relay = relay
        await server.withMethodHandler(ListTools.self) { _ in ListTools.Result(tools: tools) }
        await server.withMethodHandler(CallTool.self) { parameters in
            let arguments = try MCPValue.argumentsText(parameters.arguments)
            let callID = UUID().uuidString
            let token = parameters._meta?.progressToken
            if let token { await relay.watch(callID, token: token, server: server) }
            defer { Task { await relay.forget(callID) } }
            let work = Task { try await gateway.call(name: parameters.name, arguments: arguments, callID: callID) }
            await calls.add(callID, work)
            defer { Task { await calls.remove(callID) } }
            let output = try await withTaskCancellationHandler {
                try await work.value
            } onCancel: {
                work.cancel()
            }
            return CallTool.Result(
                content: [.text(text: output.content, annotations: nil, _meta: nil)], isError: output.isError)
        }
        if let runDirectory { await Self.serveReport(of: runDirectory, on: server) }
        try await server.start(transport: transport)
        await withTaskCancellationHandler {
            await server.waitUntilCompleted()
        } onCancel: {
            Task { await server.stop() }
        }
        await calls.cancelAll()
        await server.stop()
    }
}

extension MCPToolServer {
    /// Lists and reads the report resources of the run in `runDirectory`.
    static func serveReport(of runDirectory: URL, on server: Server) async {
        await server.withMethodHandler(ListResources.self) { _ in
            ListResources.Result(resources: [
                Resource(
                    name: "report.html", uri: reportPageURI, title: "Run report",
                    description: "The run's report page: scores with intervals and decisions, loss, budget, "
                        + "candidates, data, timeline and evaluations (self-contained HTML).",
                    mimeType: "text/html"),
                Resource(
                    name: "report.json", uri: reportDataURI, title: "Run report data",
                    description: "The same report as JSON.", mimeType: "application/json"),
            ])
        }
        await server.withMethodHandler(ReadResource.self) { parameters in
            let report = try RunReport.load(runDirectory: runDirectory)
            switch parameters.uri {
            case reportPageURI:
                return ReadResource.Result(contents: [.text(ReportPage(report).html, uri: reportPageURI, mimeType: "text/html")])
            case reportDataURI:
                let encoder = JSONEncoder()
                encoder.outputFormatting = [.prettyPrinted, .sortedKeys]
                encoder.dateEncodingStrategy = .iso8601
                let json = String(decoding: try encoder.encode(report), as: UTF8.self)
                return ReadResource.Result(contents: [.text(json, uri: reportDataURI, mimeType: "application/json")])
            default:
                throw MCPError.invalidParams("no resource '\(parameters.uri)': the resources are \(reportPageURI) and \(reportDataURI)")
            }
        }
    }
}

/// The tool calls in flight, so that they can be cancelled when the client goes away.
private actor CallRegistry {
    private var running: [String: Task<ToolOutput, any Error>] = [:]
    private var closed = false

    /// Tracks a call; one that arrives after the session ended is cancelled at once.
    func add(_ id: String, _ task: Task<ToolOutput, any Error>) {
        if closed {
            task.cancel()
        } else {
            running[id] = task
        }
    }

    func remove(_ id: String) { running[id] = nil }

    /// Cancels every call (and any added later) and waits until each has stopped.
    func cancelAll() async {
        closed = true
        let tasks = Array(running.values)
        running = [:]
        for task in tasks { task.cancel() }
        for task in tasks { _ = await task.result }
    }
}
