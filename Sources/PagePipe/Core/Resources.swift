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
