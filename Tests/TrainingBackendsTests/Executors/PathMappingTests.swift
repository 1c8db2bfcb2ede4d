import Testing

@testable import TrainingBackends

@Suite("Path mappings")
struct PathMappingTests {
    let mappings = [
        PathMapping(local: "/home/me/exp/", remote: "/scratch/exp"),
        PathMapping(local: "/home/me/exp/models", remote: "/models"),
    ]

    @Test func theLongestMatchingFolderWinsAndOthersStay() {
        #expect(PathMapping.apply(mappings, to: "/home/me/exp/models/qwen") == "/models/qwen")
        #expect(PathMapping.apply(mappings, to: "/home/me/exp/data") == "/scratch/exp/data")
        #expect(PathMapping.apply(mappings, to: "/home/me/exp") == "/scratch/exp")
        #expect(PathMapping.apply(mappings, to: "/home/me/experiments") == "/home/me/experiments")
    }

    @Test func rewritingTranslatesPathsInsideOptionsAndLists() {
        #expect(
            PathMapping.rewrite(mappings, in: "--dir=/home/me/exp/data:/home/me/exp/models/q:/home/me/expo")
                == "--dir=/scratch/exp/data:/models/q:/home/me/expo")
    }

    @Test func shellQuotingLeavesSafeWordsAndQuotesTheRest() {
        #expect(ShellCommand.quote("/a/b-c_d.e") == "/a/b-c_d.e")
        #expect(ShellCommand.quote("it's here") == "'it'\\''s here'")
        #expect(ShellCommand.quote("") == "''")
        #expect(ShellCommand.quote("$HOME") == "'$HOME'")
    }
}
