import XCTest
@testable import PagePipe

/// The FIPS 180-4 examples, and block boundaries crossed by split updates.
final class SHA256Tests: XCTestCase {
    func testKnownDigests() {
        XCTAssertEqual(SHA256.hex([UInt8]()), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855")
        XCTAssertEqual(SHA256.hex(Array("abc".utf8)), "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad")
        XCTAssertEqual(SHA256.hex(Array("abcdbcdecdefdefgefghfghighijhijkijkljklmklmnlmnomnopnopq".utf8)),
                       "248d6a61d20638b8e5c026930c3e6039a33ce45964ff2167f6ecedd419db06c1")
        XCTAssertEqual(SHA256.hex([UInt8](repeating: UInt8(ascii: "a"), count: 1_000_000)),
                       "cdc76e5c9914fb9281a1c7e284d73e67f1809a48a497200e046d39ccc7112cd0")
    }

    /// 55, 56 and 64 bytes are where the padding needs one block or two.
    func testSplitUpdatesGiveTheSameDigestAsOne() {
        for count in [0, 1, 55, 56, 63, 64, 65, 127, 128, 1000] {
            let bytes = (0 ..< count).map { UInt8(truncatingIfNeeded: $0 &* 31 &+ 7) }
            for cut in Set([0, count / 3, count / 2, count]) {
                var h = SHA256()
                h.update(bytes[..<cut])
                h.update(bytes[cut...])
                XCTAssertEqual(h.finish(), { var one = SHA256(); one.update(bytes); return one.finish() }(), "\(count) bytes cut at \(cut)")
            }
        }
    }
}
