import Foundation

#if canImport(Glibc)
    import Glibc
#elseif canImport(Musl)
    import Musl
#elseif canImport(Darwin)
    import Darwin
#endif

/// A file opened for positioned reads (`pread`), so that several workers can read one file at once.
final class ReadOnlyFile {
    /// The path, for messages.
    let path: String
    /// The size in bytes when it was opened.
    let size: Int
    private let descriptor: Int32

    /// Opens a regular file.
    /// - Throws: ``DataEngineError/fileNotReadable(path:reason:)`` when it is missing, a directory or unreadable.
    init(url: URL) throws {
        path = url.path
        let descriptor = open(url.path, O_RDONLY)
        guard descriptor >= 0 else {
            let reason = errno == ENOENT ? "no such file" : String(cString: strerror(errno))
            throw DataEngineError.fileNotReadable(path: url.path, reason: reason)
        }
        var info = stat()
        guard fstat(descriptor, &info) == 0, (info.st_mode & S_IFMT) == S_IFREG else {
            close(descriptor)
            throw DataEngineError.fileNotReadable(path: url.path, reason: "not a regular file")
        }
        self.descriptor = descriptor
        size = Int(info.st_size)
    }

    deinit { close(descriptor) }

    /// Reads up to `count` bytes at `offset` into `buffer` starting at `index`, growing `buffer` as needed.
    /// - Returns: the number of bytes read (fewer only at the end of the file).
    /// - Throws: ``DataEngineError/fileNotReadable(path:reason:)`` on an I/O error.
    @discardableResult
    func read(into buffer: inout [UInt8], at index: Int, offset: Int, count requested: Int) throws -> Int {
        let count = min(requested, max(0, size - offset))
        if buffer.count < index + count { buffer += [UInt8](repeating: 0, count: index + count - buffer.count) }
        var total = 0
        while total < count {
            let got = buffer.withUnsafeMutableBytes { raw in
                pread(descriptor, raw.baseAddress! + index + total, count - total, off_t(offset + total))
            }
            if got < 0 {
                if errno == EINTR { continue }
                throw DataEngineError.fileNotReadable(path: path, reason: String(cString: strerror(errno)))
            }
            if got == 0 { break }
            total += got
        }
        return total
    }

    /// The whole file.
    func readAll() throws -> [UInt8] {
        var buffer: [UInt8] = []
        let got = try read(into: &buffer, at: 0, offset: 0, count: size)
        buffer.removeLast(buffer.count - got)
        return buffer
    }

    /// The first byte that is not whitespace, reading at most the first megabyte.
    func firstSignificantByte() throws -> UInt8? {
        var buffer: [UInt8] = []
        let got = try read(into: &buffer, at: 0, offset: 0, count: min(size, 1 << 20))
        return buffer[..<got].first { ![0x20, 0x0A, 0x0D, 0x09, 0xEF, 0xBB, 0xBF].contains($0) }
    }
}
