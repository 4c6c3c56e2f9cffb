import Foundation
import PagePipe

// A libFuzzer target over the transform stages of the default chain.
//
// Each input is one page's bytes. The stages run in the order of
// `StageRegistry.defaultChain`, built through the registry with their default
// options, so a stage added to the chain is fuzzed without touching this file.
// A thrown error (a page failure) or a drop ends that input normally; a crash,
// a hang or a sanitizer report is a bug.
//
// Built with `-sanitize=fuzzer -D PAGEPIPE_FUZZ` (scripts/fuzz.sh) libFuzzer
// supplies `main`. Built normally, the `main` below replays files or folders
// through the same function: `pagepipe-fuzz crash-1234 Tests/Fuzz/corpus`.

/// The transform stages of the default chain, emitters left out (they write files).
let fuzzStages: [(name: String, stage: any Stage)] = {
    var stages: [(name: String, stage: any Stage)] = []
    for name in StageRegistry.defaultChain {
        guard let descriptor = StageRegistry.descriptor(named: name) else {
            fatalError("defaultChain names \"\(name)\", which the registry does not know")
        }
        if descriptor.kind == .emitter { continue }
        do {
            stages.append((name, try descriptor.makeWithDefaults()))
        } catch {
            fatalError("stage \(name) fails to build with its default options: \(error)")
        }
    }
    return stages
}()

/// Runs one page through the stages; returns the name of the stage it stopped at, if any.
@discardableResult
func fuzzOnePage(_ bytes: [UInt8]) -> String? {
    var document = Document(id: "fuzz")
    document.html = bytes
    for (name, stage) in fuzzStages {
        do {
            if case .drop = try stage.process(&document) { return name }
        } catch {
            return name
        }
    }
    return nil
}

@_cdecl("LLVMFuzzerTestOneInput")
public func LLVMFuzzerTestOneInput(_ data: UnsafePointer<UInt8>?, _ size: Int) -> CInt {
    let bytes = data.map { Array(UnsafeBufferPointer(start: $0, count: size)) } ?? []
    fuzzOnePage(bytes)
    return 0
}

#if !PAGEPIPE_FUZZ
@main
struct FuzzReplay {
    static func main() {
        let arguments = CommandLine.arguments.dropFirst()
        if arguments.isEmpty || arguments.contains("--help") {
            print("""
                usage: pagepipe-fuzz FILE|FOLDER...
                Runs each file through the default chain's transform stages, as the fuzzer does.
                To fuzz, build with scripts/fuzz.sh (libFuzzer, -sanitize=fuzzer).
                """)
            return
        }
        var files: [String] = []
        for path in arguments {
            var isDirectory: ObjCBool = false
            guard FileManager.default.fileExists(atPath: path, isDirectory: &isDirectory) else {
                FileHandle.standardError.write(Data("pagepipe-fuzz: \(path): no such file\n".utf8))
                exit(2)
            }
            if isDirectory.boolValue {
                let names = (try? FileManager.default.contentsOfDirectory(atPath: path)) ?? []
                files += names.sorted().map { path + "/" + $0 }
            } else {
                files.append(path)
            }
        }
        for file in files {
            guard let data = FileManager.default.contents(atPath: file) else { continue }
            let stoppedAt = fuzzOnePage(Array(data))
            print("\(file): " + (stoppedAt.map { "stopped at \($0)" } ?? "passed every stage"))
        }
    }
}
#endif
