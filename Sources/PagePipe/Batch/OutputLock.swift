import Foundation

/// An exclusive lock on an output folder (`.pagepipe.lock`, flock), so two cron
/// runs never write the same outputs. The lock dies with the process, even on
/// `kill -9`; the file keeps the holder's pid for the message.
public final class OutputLock {
    public struct Held: Error, CustomStringConvertible {
        public var folder: String
        public var pid: String
        public var description: String {
            "the output folder \(folder) is locked by another pagepipe run (pid \(pid))"
        }
    }

    public static let fileName = ".pagepipe.lock"
    private let fd: Int32

    /// Throws `Held` when another run holds the lock, `SetupError` when the
    /// folder or its lock file cannot be created.
    public init(folder: String) throws {
        do {
            try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        } catch {
            throw SetupError("cannot create the output folder \(folder): \((error as NSError).localizedFailureReason ?? error.localizedDescription)")
        }
        let path = folder + "/" + Self.fileName
        fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0o644)
        guard fd >= 0 else { throw SetupError("cannot create \(path): \(String(cString: strerror(errno)))") }
        if flock(fd, LOCK_EX | LOCK_NB) != 0 {
            var buf = [UInt8](repeating: 0, count: 32)
            let n = read(fd, &buf, 32)
            close(fd)
            let pid = n > 0 ? String(decoding: buf[0 ..< n], as: UTF8.self).trimmingCharacters(in: .whitespacesAndNewlines) : "unknown"
            throw Held(folder: folder, pid: pid)
        }
        ftruncate(fd, 0)
        let pid = "\(getpid())\n"
        _ = pid.withCString { write(fd, $0, strlen($0)) }
    }

    deinit {
        flock(fd, LOCK_UN)
        close(fd)
    }
}
