import Foundation
import MCP

/// Forwards the run's progress lines to the MCP clients that asked for progress (a `progressToken` on their call),
/// as `notifications/progress` with a growing count and the line as the message.
///
/// Calls run one at a time behind the gateway, so a line goes to every call waiting with a token: the one running,
/// and those queued behind it, whose wait it also explains.
public actor MCPProgressRelay {
    private struct Watcher {
        var token: ProgressToken
        var server: Server
        var count: Double
    }

    private var watchers: [String: Watcher] = [:]
    private nonisolated let lines: AsyncStream<String>.Continuation

    /// Creates an empty relay.
    public init() {
        let (stream, continuation) = AsyncStream.makeStream(of: String.self)
        lines = continuation
        Task { [weak self] in
            for await line in stream { await self?.forward(line) }
        }
    }

    deinit { lines.finish() }

    /// Queues `line` for every call that asked for progress; lines are sent in the order they were posted.
    public nonisolated func post(_ line: String) {
        lines.yield(line)
    }

    private func forward(_ line: String) async {
        for (id, watcher) in watchers {
            let count = watcher.count + 1
            watchers[id]?.count = count
            try? await watcher.server.notify(
                ProgressNotification.message(.init(progressToken: watcher.token, progress: count, message: line)))
        }
    }

    /// Starts forwarding to the call `id`.
    func watch(_ id: String, token: ProgressToken, server: Server) {
        watchers[id] = Watcher(token: token, server: server, count: 0)
    }

    /// Stops forwarding to the call `id`.
    func forget(_ id: String) { watchers[id] = nil }
}
