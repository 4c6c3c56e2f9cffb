import Foundation

/// A file written under a temporary name in its final folder and renamed into
/// place on `commit`, so a reader (or a run killed half-way) never sees a torn
/// file. Buffered; `commit` flushes and fsyncs before the rename.
public final class AtomicFile {
    public let path: String
    let temporaryPath: String
    private var fd: Int32
    private var buffer: [UInt8] = []
    private var finished = false

    public init(path: String) throws {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        temporaryPath = (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw PageError("cannot create \(temporaryPath): \(String(cString: strerror(errno)))")
        }
        buffer.reserveCapacity(1 << 20)
    }

    deinit { if !finished { abort() } }

    public func write(_ bytes: [UInt8]) throws {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    public func write(_ string: String) throws { try write(Array(string.utf8)) }

    private func flush() throws {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + done, buffer.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw PageError("cannot write \(temporaryPath): \(String(cString: strerror(errno)))")
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    public func commit() throws {
        try flush()
        fsync(fd)
        close(fd)
        finished = true
        guard rename(temporaryPath, path) == 0 else {
            throw PageError("cannot rename \(temporaryPath) to \(path): \(String(cString: strerror(errno)))")
        }
    }

    public func abort() {
        guard !finished else { return }
        finished = true
        close(fd)
        unlink(temporaryPath)
    }

    /// Writes a whole file atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws {
        let f = try AtomicFile(path: path)
        try f.write(bytes)
        try f.commit()
    }
}
