import Foundation
import MCP
import Runtime
import SystemPackage

#if canImport(Glibc)
import Glibc
#endif

/// bubblewrap for the agent's shell: installed by `scripts/install-test-services.sh bubblewrap` when the tests run
/// as root (as on CI); elsewhere without it the MCP tests serve their runs with `--unsafe-shell`.
enum SandboxForTests {
    static let available: Bool = {
        if ShellSandbox.locate() == nil, geteuid() == 0 {
            let installer = URL(fileURLWithPath: #filePath).deletingLastPathComponent().deletingLastPathComponent()
                .deletingLastPathComponent().deletingLastPathComponent()
                .appendingPathComponent("scripts/install-test-services.sh").path
            let process = Process()
            process.executableURL = URL(fileURLWithPath: "/bin/bash")
            process.arguments = [installer, "bubblewrap"]
            try? process.run()
            process.waitUntilExit()
        }
        let found = ShellSandbox.locate() != nil
        if !found { print("MCP tests: bubblewrap is not installed; serving with --unsafe-shell") }
        return found
    }()
}

/// `autotrainess mcp …` started with pipes for the protocol and a file for its standard error, with the MCP SDK's
/// own client connected to it over stdio. The server is killed when this goes away, if it is still running.
final class MCPServerProcess {
    let process: Process
    let client: Client
    let hello: Initialize.Result
    let log: URL
    private let toServer: Pipe

    /// Starts the server and connects; `prepare` registers notification handlers before the handshake.
    init(
        _ arguments: [String], log: URL, environment: [String: String]? = nil,
        prepare: (Client) async -> Void = { _ in }
    ) async throws {
        try Data().write(to: log)
        let errorHandle = try FileHandle(forWritingTo: log)
        let toServer = Pipe()
        let fromServer = Pipe()
        let process = Process()
        process.executableURL = try AutoTrainessBinary().url
        process.arguments = ["mcp"] + arguments + (SandboxForTests.available ? [] : ["--unsafe-shell"])
        if let environment { process.environment = environment }
        process.standardInput = toServer
        process.standardOutput = fromServer
        process.standardError = errorHandle
        try process.run()
        try errorHandle.close()
        let client = Client(name: "autotrainess-tests", version: "1")
        await prepare(client)
        do {
            hello = try await client.connect(
                transport: StdioTransport(
                    input: FileDescriptor(rawValue: fromServer.fileHandleForReading.fileDescriptor),
                    output: FileDescriptor(rawValue: toServer.fileHandleForWriting.fileDescriptor)))
        } catch {
            if process.isRunning { kill(process.processIdentifier, SIGKILL) }
            throw error
        }
        self.process = process
        self.client = client
        self.log = log
        self.toServer = toServer
    }

    deinit { if process.isRunning { kill(process.processIdentifier, SIGKILL) } }

    /// The end of what the server wrote to standard error.
    var output: String { ((try? String(contentsOf: log, encoding: .utf8)) ?? "").suffix(3000).description }

    /// Calls a tool; returns its text and whether it is an error.
    func call(_ name: String, _ arguments: [String: Value] = [:], progressToken: String? = nil) async throws
        -> (text: String, isError: Bool)
    {
        let meta = progressToken.map { Metadata(progressToken: .string($0)) }
        let result = try await client.callTool(name: name, arguments: arguments, meta: meta)
        let text = result.content.compactMap { content -> String? in
            if case .text(let text, _, _) = content { return text }
            return nil
        }.joined(separator: "\n")
        return (text, result.isError ?? false)
    }

    /// Closes the client's end of the pipe and waits up to `seconds` for the server to exit; whether it did.
    func close(waitingUpTo seconds: Int = 60) async throws -> Bool {
        await client.disconnect()
        try toServer.fileHandleForWriting.close()
        for _ in 0..<(seconds * 2) where process.isRunning { try await Task.sleep(for: .milliseconds(500)) }
        return !process.isRunning
    }
}
