import Foundation
import TestClusters
import Runtime
import TrainingBackends

/// A real `sshd` on 127.0.0.1 with a temporary host key and an authorized client key, for the executor tests.
///
/// Root may log in with the key only (`PermitRootLogin prohibit-password`); password logins are off. The client
/// side checks the host key against a generated `known_hosts` file.
struct LoopbackSSHServer {
    static let sshd = "/usr/sbin/sshd"
    static let programs = [sshd, "/usr/bin/ssh", "/usr/bin/ssh-keygen", "/usr/bin/rsync", "/usr/bin/setsid"]

    /// The folder holding keys, configuration and `remoteWorkDirectory`.
    let directory: URL
    /// The listening port.
    let port: Int

    /// How `SSHExecutor` reaches this server as the current user.
    var host: SSHHost {
        SSHHost(
            host: "127.0.0.1", port: port, user: NSUserName(),
            identityFile: directory.appendingPathComponent("client_key").path,
            remoteWorkDirectory: directory.appendingPathComponent("remote").path,
            options: [
                "UserKnownHostsFile=\(directory.appendingPathComponent("known_hosts").path)",
                "StrictHostKeyChecking=yes", "LogLevel=ERROR",
            ],
            connectTimeoutSeconds: 10)
    }

    /// Starts a server, runs `body`, and stops the server (whether `body` threw or not).
    static func with<T>(_ body: (LoopbackSSHServer) async throws -> T) async throws -> T {
        try await MissingTestService.require(programs)
        let directory = URL(fileURLWithPath: "/tmp/autotrainess-sshd-\(UUID().uuidString.prefix(8))")
        try FileManager.default.createDirectory(at: directory, withIntermediateDirectories: true)
        defer { try? FileManager.default.removeItem(at: directory) }
        // sshd refuses to start without its privilege-separation folder.
        try FileManager.default.createDirectory(atPath: "/run/sshd", withIntermediateDirectories: true)
        for key in ["host_key", "client_key"] {
            let file = directory.appendingPathComponent(key).path
            try await TestServices.run("/usr/bin/ssh-keygen", ["-q", "-t", "ed25519", "-N", "", "-f", file])
        }
        let port = try TestServices.freePort()
        let hostKey = try String(contentsOf: directory.appendingPathComponent("host_key.pub"), encoding: .utf8)
        let publicKey = hostKey.split(separator: " ").prefix(2).joined(separator: " ")
        try "[127.0.0.1]:\(port) \(publicKey)\n".write(
            to: directory.appendingPathComponent("known_hosts"), atomically: true, encoding: .utf8)
        try FileManager.default.copyItem(
            at: directory.appendingPathComponent("client_key.pub"),
            to: directory.appendingPathComponent("authorized_keys"))
        let config = """
            ListenAddress 127.0.0.1
            Port \(port)
            HostKey \(directory.path)/host_key
            AuthorizedKeysFile \(directory.path)/authorized_keys
            PidFile \(directory.path)/sshd.pid
            PermitRootLogin prohibit-password
            PubkeyAuthentication yes
            PasswordAuthentication no
            KbdInteractiveAuthentication no
            UsePAM no
            StrictModes no
            """
        let configFile = directory.appendingPathComponent("sshd_config")
        try config.write(to: configFile, atomically: true, encoding: .utf8)

        let daemon = ForegroundDaemon(
            name: "sshd",
            spec: ProcessSpec(executable: sshd, arguments: ["-D", "-e", "-f", configFile.path]))
        let server = LoopbackSSHServer(directory: directory, port: port)
        do {
            try await TestServices.wait("sshd to listen on 127.0.0.1:\(port)", seconds: 60) {
                if daemon.output.contains(where: { $0.contains("Server listening") }) {
                    return true
                }
                if daemon.output.contains(where: { $0.contains("fatal") || $0.contains("Bad configuration") }) {
                    throw TestServiceFailure(description: "sshd failed: " + daemon.output.joined(separator: " | "))
                }
                return false
            }
            let result = try await body(server)
            await daemon.stop()
            return result
        } catch {
            await daemon.stop()
            throw error
        }
    }
}
