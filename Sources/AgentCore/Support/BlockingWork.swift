import Dispatch

/// Long synchronous work (a multi-threaded file scan, hashing gigabytes) run from async code without holding a
/// thread of Swift's cooperative pool, which has only one thread per core: the work runs on a Dispatch thread and the
/// caller suspends until it is done.
public enum BlockingWork {
    /// Runs `work` outside the cooperative pool and returns its result.
    /// - Throws: what `work` throws.
    public static func run<Value: Sendable>(_ work: @escaping @Sendable () throws -> Value) async throws -> Value {
        try await withCheckedThrowingContinuation { continuation in
            DispatchQueue.global(qos: .userInitiated).async { continuation.resume(with: Result { try work() }) }
        }
    }
}
