public import Foundation
import Synchronization

#if canImport(Glibc)
import Glibc
#elseif canImport(Musl)
import Musl
#elseif canImport(Darwin)
import Darwin
#endif

/// An exclusive advisory lock on a file (`flock`): concurrent processes and tasks install only once, and a run
/// folder is driven by one process at a time.
///
/// `flock` locks belong to an open file description, so two acquisitions in the same process also exclude
/// each other. The lock is released when `release()` is called or the process ends, even by SIGKILL.
public final class FileLock: Sendable {
    private let descriptor: Int32
    private let held = Mutex(true)

    private init(descriptor: Int32) {
        self.descriptor = descriptor
    }

    /// Waits (polling, so that no thread blocks) until the lock on `url` is held.
    ///
    /// - Parameters:
    ///   - url: The lock file; created when missing.
    ///   - onWait: Called once if the lock is held by someone else.
    static func acquire(_ url: URL, onWait: @Sendable () -> Void) async throws -> FileLock {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw PythonEnvironmentError.lockFailed(path: url.path, reason: String(cString: strerror(errno)))
        }
        var announced = false
        while flock(descriptor, LOCK_EX | LOCK_NB) != 0 {
            guard errno == EWOULDBLOCK || errno == EINTR else {
                let reason = String(cString: strerror(errno))
                close(descriptor)
                throw PythonEnvironmentError.lockFailed(path: url.path, reason: reason)
            }
            if !announced {
                onWait()
                announced = true
            }
            do {
                try await Task.sleep(for: .milliseconds(250))
            } catch {
                close(descriptor)
                throw error
            }
        }
        return FileLock(descriptor: descriptor)
    }

    /// Takes the lock on `url` if nobody holds it; `nil` when another holder has it.
    /// - Throws: ``PythonEnvironmentError/lockFailed(path:reason:)`` when the file cannot be opened or locked.
    public static func tryAcquire(_ url: URL) throws -> FileLock? {
        try FileManager.default.createDirectory(at: url.deletingLastPathComponent(), withIntermediateDirectories: true)
        let descriptor = open(url.path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard descriptor >= 0 else {
            throw PythonEnvironmentError.lockFailed(path: url.path, reason: String(cString: strerror(errno)))
        }
        guard flock(descriptor, LOCK_EX | LOCK_NB) == 0 else {
            let busy = errno == EWOULDBLOCK
            let reason = String(cString: strerror(errno))
            close(descriptor)
            if busy { return nil }
            throw PythonEnvironmentError.lockFailed(path: url.path, reason: reason)
        }
        return FileLock(descriptor: descriptor)
    }

    /// Releases the lock; calling it again does nothing.
    public func release() {
        guard held.withLock({ held in defer { held = false }; return held }) else { return }
        flock(descriptor, LOCK_UN)
        close(descriptor)
    }
}
