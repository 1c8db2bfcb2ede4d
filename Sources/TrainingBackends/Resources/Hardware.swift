public import Foundation
import Runtime

/// What a job can run on: CPU cores, memory, and GPUs with their memory.
///
/// ``detect(environment:)`` reads the machine; tests and remote executors describe one by hand.
public struct Hardware: Sendable, Hashable, Codable {
    /// CPU cores this process may use (`AUTOTRAINESS_CPUS` when set, else the cores the OS gives the process).
    public var cpuCores: Int
    /// Memory available to new processes, in bytes (`MemAvailable`), or `nil` when unknown.
    public var availableMemoryBytes: Int64?
    /// Memory of each GPU in bytes, by device index; empty on a CPU machine or when it cannot be read.
    public var gpuMemoryBytes: [Int: Int64]

    /// Describes a machine.
    public init(cpuCores: Int, availableMemoryBytes: Int64? = nil, gpuMemoryBytes: [Int: Int64] = [:]) {
        self.cpuCores = max(1, cpuCores)
        self.availableMemoryBytes = availableMemoryBytes
        self.gpuMemoryBytes = gpuMemoryBytes
    }

    /// Reads this machine: cores (capped by `AUTOTRAINESS_CPUS`), `MemAvailable` from `/proc/meminfo`, and GPU
    /// memory from `nvidia-smi` when it is on `PATH`.
    public static func detect(environment: [String: String] = ProcessInfo.processInfo.environment) -> Hardware {
        Hardware(
            cpuCores: MachineCores.detectedCapacity(environment: environment), availableMemoryBytes: availableMemory(),
            gpuMemoryBytes: gpuMemory(environment))
    }

    /// `MemAvailable` of `/proc/meminfo` in bytes.
    static func availableMemory(meminfo: String? = try? String(contentsOfFile: "/proc/meminfo", encoding: .utf8))
        -> Int64?
    {
        guard let meminfo else { return nil }
        for line in meminfo.split(separator: "\n") where line.hasPrefix("MemAvailable:") {
            let fields = line.split(separator: " ")
            if fields.count >= 2, let kib = Int64(fields[1]) { return kib * 1024 }
        }
        return nil
    }

    /// GPU memory per device from `nvidia-smi --query-gpu=index,memory.total --format=csv,noheader,nounits` (MiB).
    static func gpuMemory(_ environment: [String: String]) -> [Int: Int64] {
        guard let path = try? ProcessRunner.resolve("nvidia-smi", path: environment["PATH"] ?? "/usr/bin:/bin")
        else { return [:] }
        let process = Process()
        process.executableURL = URL(fileURLWithPath: path)
        process.arguments = ["--query-gpu=index,memory.total", "--format=csv,noheader,nounits"]
        let pipe = Pipe()
        process.standardOutput = pipe
        process.standardError = FileHandle.nullDevice
        guard (try? process.run()) != nil else { return [:] }
        let data = pipe.fileHandleForReading.readDataToEndOfFile()
        process.waitUntilExit()
        return parseGPUMemory(String(decoding: data, as: UTF8.self))
    }

    /// Parses `nvidia-smi`'s `index, MiB` lines.
    static func parseGPUMemory(_ text: String) -> [Int: Int64] {
        var memory: [Int: Int64] = [:]
        for line in text.split(separator: "\n") {
            let fields = line.split(separator: ",").map { $0.trimmingCharacters(in: .whitespaces) }
            if fields.count == 2, let index = Int(fields[0]), let mib = Int64(fields[1]) {
                memory[index] = mib * 1024 * 1024
            }
        }
        return memory
    }
}
