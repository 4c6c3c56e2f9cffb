import Foundation
import XCTest
@testable import PagePipe

/// Where bundled files are found, and what a missing or damaged one says.
final class ResourcesTests: XCTestCase {
    func testSearchOrder() {
        XCTAssertEqual(Resources.searchPath(environment: ["PAGEPIPE_DATA": "/srv/models"], executable: "/opt/pp/bin/pagepipe"), [
            "/srv/models",
            "/opt/pp/bin",
            "/opt/pp/bin/pagepipe_PagePipe.resources/Resources",
            "/opt/pp/share/pagepipe",
        ])
        XCTAssertEqual(Resources.searchPath(environment: ["PAGEPIPE_DATA": ""], executable: "/usr/bin/pagepipe"),
                       ["/usr/bin", "/usr/bin/pagepipe_PagePipe.resources/Resources", "/usr/share/pagepipe"])
        XCTAssertEqual(Resources.searchPath(environment: [:], executable: nil), [])
    }

    func testFileNames() {
        XCTAssertEqual(Resources.fileName("ner", language: "de", ext: "bin"), "ner-de.bin")
        XCTAssertEqual(Resources.fileName("langid", ext: "bin"), "langid.bin")
    }

    func testTheFirstPlaceHoldingTheFileWins() throws {
        let a = try makeTemporaryDirectory(self), b = try makeTemporaryDirectory(self)
        try writeFile(b + "/ner-xx.bin", "b")
        try FileManager.default.createDirectory(atPath: a + "/ner-xx.bin", withIntermediateDirectories: true)
        XCTAssertEqual(try Resources.file("ner", language: "xx", ext: "bin", places: [a, b]), b + "/ner-xx.bin",
                       "a folder of that name is not the file")
        try writeFile(a + "/gazetteer-xx.txt", "a")
        try writeFile(b + "/gazetteer-xx.txt", "b")
        let found = try Resources.load("gazetteer", language: "xx", ext: "txt", places: [a, b])
        XCTAssertEqual(found.path, a + "/gazetteer-xx.txt")
        XCTAssertEqual(found.bytes, Array("a".utf8))
    }

    func testAMissingFileNamesItselfAndEveryPlaceSearched() {
        XCTAssertThrowsError(try Resources.file("ner", language: "xx", ext: "bin", places: ["/nowhere/a", "/nowhere/b"])) { error in
            XCTAssertEqual(error as? ResourceError, .notFound(file: "ner-xx.bin", searched: ["/nowhere/a", "/nowhere/b"]))
            XCTAssertEqual("\(error)", "resource file ner-xx.bin not found (searched: /nowhere/a, /nowhere/b; set PAGEPIPE_DATA to the folder that holds it)")
        }
    }

    func testLanguagesAreReadFromFileNames() throws {
        let a = try makeTemporaryDirectory(self), b = try makeTemporaryDirectory(self)
        for name in ["ner-de.bin", "ner-pt.bin", "ner-.bin", "ner-fr.txt", "gazetteer-es.txt"] { try writeFile(a + "/" + name, "") }
        try writeFile(b + "/ner-de.bin", "")
        try writeFile(b + "/ner-es.bin", "")
        XCTAssertEqual(Resources.languages("ner", ext: "bin", places: [a, b]), ["de", "es", "pt"])
        XCTAssertTrue(Resources.languages("ner", ext: "bin").contains("en"), "the shipped English model is found")
    }

    func testResourceNames() {
        for name in ["langid.bin", "ner-en.bin", "gazetteer-en.txt", "ner2-pt.bin"] { XCTAssertTrue(Resources.isResourceName(name), name) }
        for name in ["README.md", "swift-version-6A52383ED409C6A7.txt", "description.json", "pagepipe", ".ner-en.bin", "-x.bin", "ner-en.bin.tmp"] {
            XCTAssertFalse(Resources.isResourceName(name), name)
        }
    }

    /// Each name once, from the first place holding it (the copy `load` reads),
    /// with the SHA-256 of its bytes; other files and folders are not listed.
    func testChecksumsListTheFilesTheLookupWouldLoad() throws {
        let a = try makeTemporaryDirectory(self), b = try makeTemporaryDirectory(self)
        try writeFile(a + "/ner-xx.bin", "abc")
        try writeFile(b + "/ner-xx.bin", "other")
        try writeFile(b + "/langid.bin", "")
        try writeFile(b + "/README.md", "docs")
        try FileManager.default.createDirectory(atPath: a + "/gazetteer-xx.txt", withIntermediateDirectories: true)
        XCTAssertEqual(try Resources.checksums(places: [a, b, "/nowhere"]), [
            .init(name: "langid.bin", path: b + "/langid.bin", size: 0,
                  sha256: "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"),
            .init(name: "ner-xx.bin", path: a + "/ner-xx.bin", size: 3,
                  sha256: "ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad"),
        ])
    }

    /// Every file shipped in Sources/PagePipe/Resources but its README is a
    /// resource file by name, so `--version` and fingerprints cover it: a new
    /// model with a new extension must be added to `Resources.fileExtensions`.
    func testEveryShippedFileIsCoveredByTheChecksums() throws {
        let shipped = repoRoot + "/Sources/PagePipe/Resources"
        let files = try FileManager.default.contentsOfDirectory(atPath: shipped).filter { $0 != "README.md" }.sorted()
        XCTAssertFalse(files.isEmpty)
        XCTAssertEqual(try Resources.checksums(places: [shipped]).map(\.name), files)
    }

    /// `pagepipe --version` prints the version and one line per model file, with
    /// the checksum of the bytes the lookup resolves; nothing found exits 2.
    func testVersionPrintsTheModelChecksums() throws {
        let data = try makeTemporaryDirectory(self)
        try writeFile(data + "/langid.bin", "abc")
        let result = try runPagePipe(["--version"], environment: ["PAGEPIPE_DATA": data])
        XCTAssertEqual(result.status, 0, result.stderr)
        let lines = result.stdout.split(separator: "\n").map(String.init)
        XCTAssertEqual(lines.first, "pagepipe \(PagePipeVersion.string)")
        XCTAssertTrue(lines.contains("sha256:ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad  langid.bin  3 bytes  \(data)/langid.bin"),
                      result.stdout)
        let shipped = try Resources.checksums(places: [repoRoot + "/Sources/PagePipe/Resources"])
        for sum in shipped where sum.name != "langid.bin" {
            XCTAssertTrue(lines.contains { $0.hasPrefix("sha256:\(sum.sha256)  \(sum.name)  \(sum.size) bytes  ") }, "\(sum.name): \(result.stdout)")
        }
    }

    /// The real command with PAGEPIPE_DATA holding a damaged profile: the
    /// pipeline stops before reading input, naming the file.
    func testADamagedResourceStopsThePipelineNamingTheFile() throws {
        let data = try makeTemporaryDirectory(self)
        try writeFile(data + "/langid.bin", "not a profile")
        let result = try runPagePipe(["stage", "normalize-language"], stdin: #"{"id":"x","text":"Hello there."}"#,
                                     environment: ["PAGEPIPE_DATA": data])
        XCTAssertEqual(result.status, 2)
        XCTAssertEqual(result.stdout, "")
        XCTAssertTrue(result.stderr.contains("resource file \(data)/langid.bin is damaged: language profile: not a pagepipe language profile (retrain: pagepipe-dev train-langid)"),
                      result.stderr)
    }

    /// A binary copied away from the build folder has no SwiftPM bundle beside
    /// it: a clear error (not a crash), then PAGEPIPE_DATA or ../share/pagepipe finds the files.
    func testACopiedBinaryFindsItsFilesThroughPagePipeDataOrShare() throws {
        let prefix = try makeTemporaryDirectory(self)
        try FileManager.default.createDirectory(atPath: prefix + "/bin", withIntermediateDirectories: true)
        try FileManager.default.copyItem(atPath: productsDirectory + "/pagepipe", toPath: prefix + "/bin/pagepipe")
        func run(_ environment: [String: String], _ arguments: [String] = ["stage", "normalize-language"]) throws -> CommandResult {
            let process = Process()
            process.executableURL = URL(fileURLWithPath: prefix + "/bin/pagepipe")
            process.arguments = arguments
            var env = ProcessInfo.processInfo.environment
            env["PAGEPIPE_DATA"] = nil
            for (k, v) in environment { env[k] = v }
            process.environment = env
            let input = Pipe(), out = Pipe(), err = Pipe()
            process.standardInput = input
            process.standardOutput = out
            process.standardError = err
            try process.run()
            input.fileHandleForWriting.write(Data(#"{"id":"x","text":"Das ist ein kurzer deutscher Satz."}"#.utf8))
            try input.fileHandleForWriting.close()
            let errData = ReadAll(err.fileHandleForReading)
            let outData = out.fileHandleForReading.readDataToEndOfFile()
            process.waitUntilExit()
            return CommandResult(status: process.terminationStatus, stdout: String(decoding: outData, as: UTF8.self),
                                 stderr: String(decoding: errData.wait(), as: UTF8.self))
        }
        let missing = try run([:])
        XCTAssertEqual(missing.status, 2, missing.stderr)
        XCTAssertTrue(missing.stderr.contains("resource file langid.bin not found (searched: \(prefix)/bin, \(prefix)/bin/pagepipe_PagePipe.resources/Resources, \(prefix)/share/pagepipe;"),
                      missing.stderr)
        let noVersion = try run([:], ["--version"])
        XCTAssertEqual(noVersion.status, 2, noVersion.stderr)
        XCTAssertEqual(noVersion.stdout, "pagepipe \(PagePipeVersion.string)\n")
        XCTAssertTrue(noVersion.stderr.contains("no model files found (searched: \(prefix)/bin, \(prefix)/bin/pagepipe_PagePipe.resources/Resources, \(prefix)/share/pagepipe;"),
                      noVersion.stderr)

        let shipped = repoRoot + "/Sources/PagePipe/Resources"
        let viaEnvironment = try run(["PAGEPIPE_DATA": shipped])
        XCTAssertEqual(viaEnvironment.status, 0, viaEnvironment.stderr)
        XCTAssertTrue(viaEnvironment.stdout.contains(#""language":"de""#), viaEnvironment.stdout)

        try FileManager.default.createDirectory(atPath: prefix + "/share", withIntermediateDirectories: true)
        try FileManager.default.createSymbolicLink(atPath: prefix + "/share/pagepipe", withDestinationPath: shipped)
        let viaShare = try run([:])
        XCTAssertEqual(viaShare.status, 0, viaShare.stderr)
        XCTAssertEqual(viaShare.stdout, viaEnvironment.stdout)
    }
}
