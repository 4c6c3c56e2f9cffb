import Foundation
import XCTest

/// A real Slurm run (scripts/slurm-check.sh): munged, slurmctld and slurmd as a
/// one-node cluster on localhost, the README's 3-task array with --shard auto
/// and its merge job, the merged outputs compared byte for byte with one plain
/// run. Needs root and Debian's slurm-wlm and munge, so it runs only with
/// PAGEPIPE_SLURM=1; it uses the pagepipe this test run built.
final class SlurmTests: XCTestCase {
    func testTheReadmesArrayJobAndMergeGiveTheBytesOfOneRun() throws {
        try XCTSkipUnless(ProcessInfo.processInfo.environment["PAGEPIPE_SLURM"] == "1",
                          "needs root, slurm-wlm and munge: set PAGEPIPE_SLURM=1")
        let result = try runProgram(repoRoot + "/scripts/slurm-check.sh", [],
                                    environment: ["PAGEPIPE": productsDirectory + "/pagepipe"])
        XCTAssertEqual(result.status, 0, result.stderr)
        XCTAssertFalse(result.stderr.contains("skipped"), "the check did not run: " + result.stderr)
        XCTAssertTrue(result.stderr.contains("merged documents.jsonl: byte-identical to one plain run"), result.stderr)
    }
}
