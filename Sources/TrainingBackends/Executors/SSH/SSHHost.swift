/// How to reach a remote host with the system `ssh` client (and `rsync` over it).
public struct SSHHost: Sendable, Hashable, Codable {
    /// The host name or address.
    public var host: String
    /// The SSH port; `nil` uses the client's default (22 or the `ssh_config` value).
    public var port: Int?
    /// The remote user; `nil` uses the client's default.
    public var user: String?
    /// A private key file (`ssh -i`); `nil` uses the client's defaults and agent.
    public var identityFile: String?
    /// A remote folder the executor may write to: run bookkeeping goes in `<remoteWorkDirectory>/.autotrainess`,
    /// and commands whose spec has no working directory start here.
    public var remoteWorkDirectory: String
    /// Extra `ssh -o` options, such as `UserKnownHostsFile=/path` or `StrictHostKeyChecking=yes`.
    public var options: [String]
    /// Seconds `ssh` waits for the connection (`ConnectTimeout`).
    public var connectTimeoutSeconds: Int

    /// Creates a host description.
    ///
    /// - Parameters:
    ///   - host: The host name or address.
    ///   - port: The SSH port, or `nil` for the default.
    ///   - user: The remote user, or `nil` for the default.
    ///   - identityFile: A private key file, or `nil` for the client's defaults.
    ///   - remoteWorkDirectory: A writable remote folder for bookkeeping and as the default working folder.
    ///   - options: Extra `ssh -o` options.
    ///   - connectTimeoutSeconds: The connection time-out.
    public init(
        host: String, port: Int? = nil, user: String? = nil, identityFile: String? = nil,
        remoteWorkDirectory: String, options: [String] = [], connectTimeoutSeconds: Int = 15
    ) {
        self.host = host
        self.port = port
        self.user = user
        self.identityFile = identityFile
        self.remoteWorkDirectory = remoteWorkDirectory
        self.options = options
        self.connectTimeoutSeconds = connectTimeoutSeconds
    }

    /// `user@host`, or `host` when no user is set.
    public var destination: String { user.map { "\($0)@\(host)" } ?? host }

    /// The `ssh` options before the destination: non-interactive (`BatchMode`), no terminal, port, key, options.
    public var sshArguments: [String] {
        var arguments = ["-T", "-o", "BatchMode=yes", "-o", "ConnectTimeout=\(connectTimeoutSeconds)"]
        if let port {
            arguments += ["-p", String(port)]
        }
        if let identityFile {
            arguments += ["-i", identityFile, "-o", "IdentitiesOnly=yes"]
        }
        for option in options {
            arguments += ["-o", option]
        }
        return arguments
    }
}
