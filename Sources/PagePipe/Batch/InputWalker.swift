import Foundation

/// One page to process, or a path that could not be read as one.
public struct InputItem: Sendable, Equatable {
    /// The path relative to its input root: the document id.
    public var id: String
    public var path: String
    /// Set when the walk itself failed for this path (unreadable folder, loop).
    public var error: String?

    /// A WARC file: many pages, read record by record.
    public var isWARC: Bool { error == nil && WARCReader.isWARCFile(id) }
}

/// Finds pages under input folders: recursively, following symlinks (loops are
/// reported, not followed), files ending in .html, .htm or .xhtml, optionally
/// .gz, and WARC files (.warc, .warc.gz), in any letter case. Returns them
/// sorted by id, byte-wise.
public enum InputWalker {
    public static let extensions = [".html", ".htm", ".xhtml"]

    public static func isPage(_ name: String) -> Bool {
        if WARCReader.isWARCFile(name) { return true }
        var lower = name.lowercased()
        if lower.hasSuffix(".gz") { lower.removeLast(3) }
        return extensions.contains { lower.hasSuffix($0) }
    }

    public static func walk(_ roots: [String]) throws -> [InputItem] {
        var items: [InputItem] = []
        var seenIDs: [String: String] = [:]
        for root in roots {
            var st = stat()
            guard stat(root, &st) == 0 else {
                throw SetupError("input \(root): \(String(cString: strerror(errno)))")
            }
            if (st.st_mode & S_IFMT) != S_IFDIR {
                // A single file given as input: its id is its file name.
                let name = (root as NSString).lastPathComponent
                items.append(InputItem(id: name, path: root, error: nil))
                continue
            }
            var found: [InputItem] = []
            var visited: Set<[UInt64]> = []
            walkDirectory(root, relative: "", visited: &visited, into: &found)
            for var item in found {
                if let other = seenIDs[item.id], item.error == nil {
                    item.error = "the same id as \(other) (two inputs hold the same relative path)"
                }
                seenIDs[item.id] = seenIDs[item.id] ?? item.path
                items.append(item)
            }
        }
        items.sort { $0.id.utf8.lexicographicallyPrecedes($1.id.utf8) }
        return items
    }

    private static func walkDirectory(_ dir: String, relative: String, visited: inout Set<[UInt64]>,
                                      into items: inout [InputItem]) {
        var st = stat()
        guard stat(dir, &st) == 0 else {
            items.append(InputItem(id: relative.isEmpty ? "." : relative, path: dir,
                                   error: "cannot read folder: \(String(cString: strerror(errno)))"))
            return
        }
        let key = [UInt64(st.st_dev), UInt64(st.st_ino)]
        guard visited.insert(key).inserted else {
            items.append(InputItem(id: relative, path: dir, error: "symlink loop: folder already visited"))
            return
        }
        defer { visited.remove(key) }
        guard let handle = opendir(dir) else {
            items.append(InputItem(id: relative.isEmpty ? "." : relative, path: dir,
                                   error: "cannot read folder: \(String(cString: strerror(errno)))"))
            return
        }
        var names: [String] = []
        while let entry = readdir(handle) {
            let name = withUnsafePointer(to: entry.pointee.d_name) {
                $0.withMemoryRebound(to: CChar.self, capacity: 256) { String(cString: $0) }
            }
            if name == "." || name == ".." || name.hasPrefix(".") { continue }
            names.append(name)
        }
        closedir(handle)
        names.sort { $0.utf8.lexicographicallyPrecedes($1.utf8) }
        for name in names {
            let path = dir + "/" + name
            let rel = relative.isEmpty ? name : relative + "/" + name
            var s = stat()
            if stat(path, &s) != 0 {
                // A dangling symlink or a file that vanished: report it if it looks like a page.
                if isPage(name) {
                    items.append(InputItem(id: rel, path: path, error: "cannot read: \(String(cString: strerror(errno)))"))
                }
                continue
            }
            if (s.st_mode & S_IFMT) == S_IFDIR {
                walkDirectory(path, relative: rel, visited: &visited, into: &items)
            } else if (s.st_mode & S_IFMT) == S_IFREG, isPage(name) {
                items.append(InputItem(id: rel, path: path, error: nil))
            }
        }
    }
}
