import Foundation
import Testing
import Workflows

@Suite("SHA256")
struct SHA256Tests {
    @Test(arguments: [
        ("", "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
        ("abc", "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        (
            "abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq",
            "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1"
        ),
    ])
    func matchesFIPSVectors(message: String, digest: String) {
        #expect(SHA256.hexDigest(of: Array(message.utf8)) == digest)
    }

    @Test func fileDigestEqualsInMemoryDigestAcrossChunks() throws {
        let directory = try TemporaryDirectory()
        let bytes = (0..<200_003).map { UInt8(truncatingIfNeeded: $0 &* 31) }
        let file = directory.path("blob.bin")
        try Data(bytes).write(to: file)
        var incremental = SHA256()
        incremental.update(bytes[..<777])
        incremental.update(bytes[777...])
        #expect(try SHA256.hexDigest(ofFileAt: file) == SHA256.hexDigest(of: bytes))
        #expect(incremental.hexDigest() == SHA256.hexDigest(of: bytes))
    }
}
