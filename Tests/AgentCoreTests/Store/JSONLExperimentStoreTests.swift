import AgentCore
import Foundation
import Testing

#if canImport(Glibc)
    import Glibc
#elseif canImport(Darwin)
    import Darwin
#endif

@Suite("JSONL experiment store")
struct JSONLExperimentStoreTests {
    private func temporaryFile() -> URL {
        FileManager.default.temporaryDirectory
            .appendingPathComponent("store-\(UUID().uuidString)", isDirectory: true)
            .appendingPathComponent("events.jsonl")
    }

    @Test("records survive reopening and the sequence continues")
    func reopen() async throws {
        let file = temporaryFile()
        let store = try JSONLExperimentStore(fileURL: file)
        for index in 1...3 {
            let record = try await store.append(
                ExperimentRecord(kind: "tool.call", payload: ["n": .number(Double(index))]))
            #expect(record.sequence == index)
        }
        let reopened = try JSONLExperimentStore(fileURL: file)
        #expect(reopened.damage.isEmpty)
        #expect(try await reopened.records().map(\.sequence) == [1, 2, 3])
        #expect(try await reopened.records() == (try await store.records()))
        #expect(try await reopened.append(ExperimentRecord(kind: "x", payload: nil)).sequence == 4)
    }

    @Test("a damaged line in the middle is reported and skipped; the records around it are kept")
    func damagedMiddle() async throws {
        let file = temporaryFile()
        let store = try JSONLExperimentStore(fileURL: file)
        try await store.append(ExperimentRecord(kind: "a", payload: "first"))
        let handle = try FileHandle(forWritingTo: file)
        try handle.seekToEnd()
        try handle.write(contentsOf: Data("{\"kind\": \"b\", garbage\n".utf8))
        try handle.close()
        let size = try Data(contentsOf: file).count
        try await store.append(ExperimentRecord(kind: "c", payload: "third"))

        let reopened = try JSONLExperimentStore(fileURL: file)
        #expect(try await reopened.records().map(\.kind) == ["a", "c"])
        #expect(reopened.damage.count == 1)
        let damage = try #require(reopened.damage.first)
        #expect(damage.line == 2)
        #expect(damage.isTruncatedTail == false)
        #expect(damage.byteOffset + damage.byteCount + 1 == size)
        #expect(damage.description.contains("damaged line 2"))
    }

    @Test("a writer killed with SIGKILL while appending loses no record it had made durable")
    func killedWriterLosesNothing() async throws {
        let file = temporaryFile()
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let child = try ChildWriter(file: file, fullRecords: nil)
        let reported = try child.waitForRecords(atLeast: 40)
        child.killHard()
        let contents = try JSONLExperimentStore.read(fileURL: file)
        let sequences = contents.records.map(\.sequence)
        #expect(sequences == Array(1...sequences.count))
        #expect(sequences.count >= reported)
        #expect(contents.damage.allSatisfy { $0.isTruncatedTail })
        let store = try JSONLExperimentStore(fileURL: file)
        #expect(try await store.append(ExperimentRecord(kind: "resumed", payload: nil)).sequence == sequences.count + 1)
    }

    @Test("a record cut short by SIGKILL mid-write is reported as a truncated tail and never swallows the next one")
    func killedMidRecord() async throws {
        let file = temporaryFile()
        try FileManager.default.createDirectory(at: file.deletingLastPathComponent(), withIntermediateDirectories: true)
        let child = try ChildWriter(file: file, fullRecords: 10)
        let partialBytes = try child.waitForPartial()
        child.killHard()

        let store = try JSONLExperimentStore(fileURL: file)
        #expect(try await store.records().map(\.sequence) == Array(1...10))
        #expect(store.damage.count == 1)
        let damage = try #require(store.damage.first)
        #expect(damage.line == 11)
        #expect(damage.isTruncatedTail)
        #expect(damage.byteCount == partialBytes)

        let next = try await store.append(ExperimentRecord(kind: "resumed", payload: ["after": "kill"]))
        #expect(next.sequence == 11)
        let reopened = try JSONLExperimentStore(fileURL: file)
        #expect(try await reopened.records().map(\.sequence) == Array(1...11))
        #expect(try await reopened.records().last?.kind == "resumed")
        #expect(reopened.damage.map(\.line) == [11])
        #expect(reopened.damage.first?.isTruncatedTail == false)
    }
}

/// A Python child that appends records in the store's format, one `os.write` and `fsync` each, printing each
/// durable sequence number; with `fullRecords`, it then writes half a record, syncs, prints `partial <bytes>`
/// and waits to be killed.
private final class ChildWriter {
    private let process = Process()
    private let output = Pipe()
    private var buffer = ""

    private static let script = #"""
        import json, os, sys, time
        path, full = sys.argv[1], int(sys.argv[2])
        fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o644)
        def line(n):
            record = {"kind": "tool.call", "payload": {"n": n, "text": "x" * (n % 50)}, "sequence": n,
                      "time": "2026-11-27T06:00:00.%03dZ" % (n % 1000)}
            return (json.dumps(record, sort_keys=True) + "\n").encode()
        n = 0
        while full < 0 or n < full:
            n += 1
            os.write(fd, line(n)); os.fsync(fd)
            print(n, flush=True)
        data = line(n + 1)
        half = data[: len(data) // 2]
        os.write(fd, half); os.fsync(fd)
        print("partial", len(half), flush=True)
        time.sleep(60)
        """#

    init(file: URL, fullRecords: Int?) throws {
        process.executableURL = URL(fileURLWithPath: "/usr/bin/env")
        process.arguments = ["python3", "-c", Self.script, file.path, String(fullRecords ?? -1)]
        process.standardOutput = output
        try process.run()
    }

    /// Blocks until the child has reported `count` durable records; returns the last number it reported.
    func waitForRecords(atLeast count: Int) throws -> Int {
        while true {
            let numbers = buffer.split(separator: "\n").compactMap { Int($0) }
            if let last = numbers.last, last >= count { return last }
            try readMore()
        }
    }

    /// Blocks until the child has written its partial record; returns the partial record's length in bytes.
    func waitForPartial() throws -> Int {
        while true {
            if let line = buffer.split(separator: "\n").first(where: { $0.hasPrefix("partial ") }),
                let bytes = Int(line.dropFirst("partial ".count))
            {
                return bytes
            }
            try readMore()
        }
    }

    func killHard() {
        kill(process.processIdentifier, SIGKILL)
        process.waitUntilExit()
    }

    private func readMore() throws {
        let data = output.fileHandleForReading.availableData
        guard !data.isEmpty else { throw ChildWriterError.exited(status: process.terminationStatus) }
        buffer += String(decoding: data, as: UTF8.self)
    }
}

private enum ChildWriterError: Error {
    case exited(status: Int32)
}
