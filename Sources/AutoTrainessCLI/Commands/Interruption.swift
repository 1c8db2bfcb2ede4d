import ArgumentParser
import Dispatch
import Foundation

#if canImport(Glibc)
    import Glibc
#endif

/// Runs long work so that Ctrl-C (SIGINT) or SIGTERM cancels it cleanly instead of killing the process: the
/// cancellation reaches training and evaluation, which tear down their process groups, and everything recorded so
/// far stays in the run's store for `autotrainess resume`.
enum Interruption {
    /// Runs `work`; on SIGINT or SIGTERM cancels it, prints `hint`, and exits with 130.
    static func run<T: Sendable>(
        hint: @escaping @Sendable () -> String, _ work: @escaping @Sendable () async throws -> T
    )
        async throws -> T
    {
        let task = Task { try await work() }
        let sources = [SIGINT, SIGTERM].map { number in
            signal(number, SIG_IGN)
            let source = DispatchSource.makeSignalSource(signal: number, queue: .global())
            source.setEventHandler {
                Console.error("\nInterrupted: stopping the running job cleanly ...")
                task.cancel()
            }
            source.resume()
            return source
        }
        defer { sources.forEach { $0.cancel() } }
        do {
            return try await task.value
        } catch {
            guard task.isCancelled else { throw error }
            Console.error("Stopped. \(hint())")
            throw ExitCode(130)
        }
    }
}
