import Foundation
import XCTest

/// The installed tree stands alone: scripts/install-check.sh clones the
/// repository, installs into a temporary prefix, deletes the clone, moves the
/// prefix and runs the moved binary with a bare environment on samples/,
/// expecting the golden files' bytes and no Swift library in `ldd`.
/// A static release build from scratch takes minutes, so it runs only with
/// PAGEPIPE_INSTALL_TEST=1 (CI sets it).
final class InstallTests: XCTestCase {
    func testAnInstalledTreeRunsAfterTheCloneIsGoneAndThePrefixMoved() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["PAGEPIPE_INSTALL_TEST"] == "1",
                          "slow (a static release build of a fresh clone): set PAGEPIPE_INSTALL_TEST=1")
        let result = try runProgram(repoRoot + "/scripts/install-check.sh", [repoRoot])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertTrue(result.stderr.contains("byte-identical to the golden files"), result.stderr)
    }
}
