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

    public init(path: String) throws(RunError) {
        self.path = path
        let dir = (path as NSString).deletingLastPathComponent
        let name = (path as NSString).lastPathComponent
        temporaryPath = (dir.isEmpty ? "" : dir + "/") + ".\(name).tmp-\(getpid())"
        fd = open(temporaryPath, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0o644)
        guard fd >= 0 else {
            throw RunError.errno(temporaryPath, "cannot create")
        }
        buffer.reserveCapacity(1 << 20)
    }

    deinit { if !finished { abort() } }

    public func write(_ bytes: [UInt8]) throws(RunError) {
        buffer.append(contentsOf: bytes)
        if buffer.count >= 1 << 20 { try flush() }
    }

    public func write(_ string: String) throws(RunError) { try write(Array(string.utf8)) }

    private func flush() throws(RunError) {
        var done = 0
        while done < buffer.count {
            let n = buffer.withUnsafeBytes { Foundation.write(fd, $0.baseAddress! + done, buffer.count - done) }
            if n < 0 {
                if errno == EINTR { continue }
                throw RunError.errno(temporaryPath, "cannot write")
            }
            done += n
        }
        buffer.removeAll(keepingCapacity: true)
    }

    public func commit() throws(RunError) {
        try flush()
        fsync(fd)
        close(fd)
        finished = true
        guard rename(temporaryPath, path) == 0 else {
            let error = RunError.errno(path, "cannot move \(temporaryPath) into place")
            unlink(temporaryPath)
            throw error
        }
    }

    public func abort() {
        guard !finished else { return }
        finished = true
        close(fd)
        unlink(temporaryPath)
    }

    /// Writes a whole file atomically.
    public static func write(_ bytes: [UInt8], to path: String) throws(RunError) {
        let f = try AtomicFile(path: path)
        try f.write(bytes)
        try f.commit()
    }
}
