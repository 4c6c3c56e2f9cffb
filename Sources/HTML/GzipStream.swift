import CLibXML2
#if canImport(Glibc)
import Glibc
#endif

/// Reads a file front to back in fixed chunks, inflating it when it is gzip:
/// one member or many concatenated (a `.warc.gz` holds one member per record),
/// so a gigabyte file costs one chunk of memory, not a gigabyte. A file that
/// does not start with the gzip magic number is passed through as it is.
///
/// Not thread-safe: one reader, one thread. The zlib stream and both buffers
/// are owned here and freed once, in `deinit`.
public final class GzipStream {
    /// Bytes read from the file, and at most produced, per call.
    public static let chunkSize = 256 * 1024

    /// Whether the file is gzip (else its bytes come through unchanged).
    public let isCompressed: Bool
    /// File offset of the gzip member being inflated (or last inflated): where a
    /// decompression error is, for messages.
    public private(set) var memberStart: Int64 = 0
    /// Gzip members started so far.
    public private(set) var members = 0

    private let fd: Int32
    private let maxMemberBytes: Int?
    private let zs: UnsafeMutablePointer<z_stream>
    private let input: UnsafeMutablePointer<UInt8>
    /// File bytes read into `input` so far, in total.
    private var fileBytesRead: Int64 = 0
    private var fileAtEnd = false
    private var inMember = false
    private var memberOutput = 0
    private var finished = false
    /// An error met after some bytes were produced: thrown by the next call, so
    /// that the bytes before a bad member (whole records) are not lost.
    private var pendingError: Error?

    /// Opens `path`.
    /// - Parameter maxMemberBytes: fail a gzip member that inflates to more than
    ///   this (a member is one record in a per-record `.warc.gz`); nil for no cap,
    ///   as a whole file compressed as one member needs.
    public init(path: String, maxMemberBytes: Int? = nil) throws {
        // Every failure is thrown before a stored property is set, so deinit
        // (the one place that frees) never sees a half-built stream.
        let fd = open(path, O_RDONLY | O_CLOEXEC)
        guard fd >= 0 else { throw GzipError.readFailed("cannot open \(path): \(String(cString: strerror(errno)))") }
        let input = UnsafeMutablePointer<UInt8>.allocate(capacity: Self.chunkSize)
        let n: Int
        do {
            // Peek at the first chunk to tell gzip from plain bytes.
            n = try Self.readFully(fd, into: input, count: Self.chunkSize)
        } catch {
            input.deallocate()
            close(fd)
            throw error
        }
        let compressed = n >= 2 && input[0] == 0x1f && input[1] == 0x8b
        let zs = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        zs.initialize(to: z_stream())
        zs.pointee.next_in = input
        zs.pointee.avail_in = UInt32(n)
        if compressed {
            // 15 + 16: gzip wrapper only, maximum window.
            let rc = inflateInit2_(zs, 15 + 16, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
            guard rc == Z_OK else {
                zs.deinitialize(count: 1)
                zs.deallocate()
                input.deallocate()
                close(fd)
                throw GzipError.corrupt("inflateInit failed (\(rc))")
            }
        }
        self.fd = fd
        self.input = input
        self.zs = zs
        self.isCompressed = compressed
        self.maxMemberBytes = maxMemberBytes
        self.fileBytesRead = Int64(n)
        self.fileAtEnd = n < Self.chunkSize
    }

    deinit {
        if isCompressed { inflateEnd(zs) }
        zs.deinitialize(count: 1)
        zs.deallocate()
        input.deallocate()
        close(fd)
    }

    /// The next bytes of the (inflated) file, at most `chunkSize`; empty at the end.
    /// Throws `GzipError` on corrupt, truncated or oversized gzip data and on read errors.
    public func read() throws -> [UInt8] {
        if let pendingError { throw pendingError }
        if finished { return [] }
        if !isCompressed { return try readPlain() }
        var out = [UInt8](repeating: 0, count: Self.chunkSize)
        var produced = 0
        do {
            try inflateChunk(into: &out, produced: &produced)
        } catch {
            if produced == 0 { throw error }
            pendingError = error
        }
        out.removeSubrange(produced...)
        return out
    }

    private func inflateChunk(into out: inout [UInt8], produced: inout Int) throws {
        try out.withUnsafeMutableBufferPointer { outBuf in
            while produced < Self.chunkSize {
                if zs.pointee.avail_in == 0 && !fileAtEnd { try refill() }
                if !inMember {
                    if zs.pointee.avail_in == 0 && fileAtEnd {
                        finished = true
                        return
                    }
                    // The next member: its header is checked by inflate itself, so
                    // trailing garbage fails as "incorrect header check" at its offset.
                    memberStart = fileBytesRead - Int64(zs.pointee.avail_in)
                    members += 1
                    memberOutput = 0
                    inMember = true
                }
                zs.pointee.next_out = outBuf.baseAddress! + produced
                zs.pointee.avail_out = UInt32(Self.chunkSize - produced)
                let rc = inflate(zs, Z_NO_FLUSH)
                let made = Self.chunkSize - produced - Int(zs.pointee.avail_out)
                produced += made
                memberOutput += made
                if let cap = maxMemberBytes, memberOutput > cap {
                    throw GzipError.tooLarge(limit: cap)
                }
                switch rc {
                case Z_STREAM_END:
                    inMember = false
                    guard inflateReset(zs) == Z_OK else { throw GzipError.corrupt("inflateReset failed") }
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    // No progress possible: out of input (refilled above unless at the end).
                    if zs.pointee.avail_in == 0 && fileAtEnd { throw GzipError.truncated }
                case Z_DATA_ERROR:
                    let why = zs.pointee.msg.map { String(cString: $0) } ?? "data error"
                    throw GzipError.corrupt(why)
                case Z_MEM_ERROR:
                    throw GzipError.corrupt("out of memory")
                default:
                    throw GzipError.corrupt("zlib error \(rc)")
                }
            }
        }
    }

    private func readPlain() throws -> [UInt8] {
        if zs.pointee.avail_in == 0 {
            if fileAtEnd {
                finished = true
                return []
            }
            try refill()
            if zs.pointee.avail_in == 0 {
                finished = true
                return []
            }
        }
        let bytes = Array(UnsafeBufferPointer(start: zs.pointee.next_in, count: Int(zs.pointee.avail_in)))
        zs.pointee.avail_in = 0
        return bytes
    }

    private func refill() throws {
        let n = try Self.readFully(fd, into: input, count: Self.chunkSize)
        fileBytesRead += Int64(n)
        if n < Self.chunkSize { fileAtEnd = true }
        zs.pointee.next_in = input
        zs.pointee.avail_in = UInt32(n)
    }

    /// Reads up to `count` bytes, retrying short reads and EINTR; fewer only at the end of the file.
    private static func readFully(_ fd: Int32, into buffer: UnsafeMutablePointer<UInt8>, count: Int) throws -> Int {
        var total = 0
        while total < count {
            let n = Glibc.read(fd, buffer + total, count - total)
            if n < 0 {
                if errno == EINTR { continue }
                throw GzipError.readFailed(String(cString: strerror(errno)))
            }
            if n == 0 { break }
            total += n
        }
        return total
    }
}
