import ArgumentParser
import AutoTrainess
import Workflows

/// `--unsafe-shell`, `--unshare-net`: how the agent's shell of a new run is set up.
struct ShellFlags: ParsableArguments {
    @Flag(
        help: ArgumentHelp(
            "Run the agent's shell WITHOUT the bubblewrap sandbox: it can then change any file you can (recorded "
                + "in run.json, shown by status)."))
    var unsafeShell = false

    @Flag(help: "Give sandboxed shell commands no network.")
    var unshareNet = false

    /// The options these flags describe.
    var options: ShellOptions { ShellOptions(unsafe: unsafeShell, network: !unshareNet) }
}
