import Foundation

/// The one place that finds the files pagepipe ships beside its code: the
/// language profile, entity models and gazetteers. A file is named by its kind
/// and, for per-language files, an ISO 639-1 code: `langid.bin`,
/// `ner-en.bin`, `gazetteer-en.txt`.
///
/// Not SwiftPM's `Bundle.module`: its accessor stops the process (fatalError)
/// when the bundle folder is missing, as it is for a binary copied elsewhere.
/// A missing file here is an error that names the file and every place searched.
public enum Resources {
    /// SwiftPM's resource bundle of the PagePipe target, beside every product it
    /// builds (`.build/debug/pagepipe_PagePipe.resources/Resources/...`).
    static let swiftPMBundle = "pagepipe_PagePipe.resources/Resources"

    /// The folders searched for resource files, in order; the first folder that
    /// holds the file wins:
    /// 1. `$PAGEPIPE_DATA`, when set: a deployment's own models over the shipped ones;
    /// 2. the executable's folder: a binary shipped with its files beside it;
    /// 3. `pagepipe_PagePipe.resources/Resources` beside the executable: SwiftPM's
    ///    resource bundle, what `swift build`, `swift run` and `swift test` use;
    /// 4. `../share/pagepipe` from the executable's folder: an installed prefix
    ///    (`/usr/local/bin/pagepipe` reads `/usr/local/share/pagepipe`).
    /// The executable is the resolved `/proc/self/exe`, so a symlink in a `bin`
    /// folder finds the files of the binary it points to.
    public static func searchPath(environment: [String: String] = ProcessInfo.processInfo.environment,
                                  executable: String? = executablePath) -> [String] {
        var places: [String] = []
        if let data = environment["PAGEPIPE_DATA"], !data.isEmpty { places.append(data) }
        if let executable {
            let folder = (executable as NSString).deletingLastPathComponent
            places.append(folder)
            places.append(folder + "/" + swiftPMBundle)
            places.append(((folder as NSString).deletingLastPathComponent as NSString).appendingPathComponent("share/pagepipe"))
        }
        return places
    }

    /// The running executable, symlinks resolved.
    public static let executablePath: String? = {
        if let path = try? FileManager.default.destinationOfSymbolicLink(atPath: "/proc/self/exe") { return path }
        return Bundle.main.executableURL?.resolvingSymlinksInPath().path
    }()

    /// `KIND-LANGUAGE.EXT`, or `KIND.EXT` without a language.
    public static func fileName(_ kind: String, language: String? = nil, ext: String) -> String {
        (language.map { "\(kind)-\($0)" } ?? kind) + "." + ext
    }

    /// The path of a resource file: the first of `places` that holds it.
    public static func file(_ kind: String, language: String? = nil, ext: String,
                            places: [String] = searchPath()) throws(ResourceError) -> String {
        let name = fileName(kind, language: language, ext: ext)
        for place in places {
            let path = place + "/" + name
            var isFolder: ObjCBool = false
            if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue { return path }
        }
        throw .notFound(file: name, searched: places)
    }

    /// A resource file's bytes and where they came from.
    public static func load(_ kind: String, language: String? = nil, ext: String,
                            places: [String] = searchPath()) throws(ResourceError) -> (path: String, bytes: [UInt8]) {
        let path = try file(kind, language: language, ext: ext, places: places)
        return (path, try readFile(path))
    }

    /// The languages that have a `KIND-xx.EXT` file in any of `places`, sorted.
    public static func languages(_ kind: String, ext: String, places: [String] = searchPath()) -> [String] {
        var found = Set<String>()
        let prefix = kind + "-", suffix = "." + ext
        for place in places {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: place)) ?? []
                where name.hasPrefix(prefix) && name.hasSuffix(suffix) && name.count > prefix.count + suffix.count {
                found.insert(String(name.dropFirst(prefix.count).dropLast(suffix.count)))
            }
        }
        return found.sorted()
    }

    /// The extensions of resource files: what `checksums` counts as a shipped
    /// file. A new kind of file with another extension adds it here (a test
    /// checks that every file in Sources/PagePipe/Resources is covered).
    public static let fileExtensions: Set<String> = ["bin", "txt"]

    /// Whether `name` is a resource file's name: lowercase letters, digits and
    /// hyphens (`KIND` or `KIND-LANGUAGE`), then one of `fileExtensions`. The
    /// executable's folder holds other files (`.build/release` has
    /// `swift-version-6A52383ED409C6A7.txt`); their names do not qualify.
    static func isResourceName(_ name: String) -> Bool {
        guard let dot = name.lastIndex(of: "."), fileExtensions.contains(String(name[name.index(after: dot)...])) else { return false }
        let stem = name[..<dot].utf8
        guard let first = stem.first, first >= UInt8(ascii: "a"), first <= UInt8(ascii: "z") else { return false }
        return stem.allSatisfy { ($0 >= UInt8(ascii: "a") && $0 <= UInt8(ascii: "z")) || ($0 >= UInt8(ascii: "0") && $0 <= UInt8(ascii: "9")) || $0 == UInt8(ascii: "-") }
    }

    /// A resource file as the lookup resolves it, and the SHA-256 of its bytes.
    public struct Checksum: Sendable, Equatable {
        public var name: String
        public var path: String
        public var size: Int
        public var sha256: String
    }

    /// Every resource file the search path offers, sorted by name: for each
    /// name the copy `file` would load (the first place holding it), with its
    /// size and SHA-256. What `pagepipe --version` prints; a fingerprint of the
    /// models a run used can hash these lines.
    public static func checksums(places: [String] = searchPath()) throws(ResourceError) -> [Checksum] {
        var found: [String: String] = [:]
        for place in places {
            for name in (try? FileManager.default.contentsOfDirectory(atPath: place)) ?? []
                where found[name] == nil && isResourceName(name) {
                var isFolder: ObjCBool = false
                let path = place + "/" + name
                if FileManager.default.fileExists(atPath: path, isDirectory: &isFolder), !isFolder.boolValue { found[name] = path }
            }
        }
        var sums: [Checksum] = []
        for name in found.keys.sorted() {
            let path = found[name]!
            let bytes = try readFile(path)
            sums.append(Checksum(name: name, path: path, size: bytes.count, sha256: SHA256.hex(bytes)))
        }
        return sums
    }

    /// The whole file, read into a buffer of its size (models are megabytes:
    /// no growing buffer, no second copy, so the peak memory stays the file's size).
    static func readFile(_ path: String) throws(ResourceError) -> [UInt8] {
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        defer { close(fd) }
        var st = stat()
        guard fstat(fd, &st) == 0 else { throw .unreadable(path: path, reason: String(cString: strerror(errno))) }
        var bytes = [UInt8](repeating: 0, count: Int(st.st_size))
        var done = 0
        while done < bytes.count {
            let n = bytes.withUnsafeMutableBytes { read(fd, $0.baseAddress! + done, $0.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw .unreadable(path: path, reason: String(cString: strerror(errno)))
            }
            if n == 0 { throw .unreadable(path: path, reason: "the file ended after \(done) of \(bytes.count) bytes") }
            done += n
        }
        return bytes
    }
}
