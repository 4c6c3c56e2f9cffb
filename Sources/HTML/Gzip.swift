import CLibXML2

public enum GzipError: Error, Equatable, CustomStringConvertible {
    case corrupt(String)
    case truncated
    case tooLarge(limit: Int)
    case readFailed(String)

    public var description: String {
        switch self {
        case .corrupt(let why): return "corrupt gzip data (\(why))"
        case .truncated: return "truncated gzip data"
        case .tooLarge(let limit): return "decompressed size exceeds the limit of \(limit) bytes"
        case .readFailed(let why): return "read failed: \(why)"
        }
    }
}

public enum Gzip {
    /// Whether `bytes` start with the gzip magic number.
    public static func isGzip(_ bytes: [UInt8]) -> Bool {
        bytes.count >= 2 && bytes[0] == 0x1f && bytes[1] == 0x8b
    }

    /// Inflates gzip data (concatenated members too), refusing to produce more
    /// than `limit` bytes so that a gzip bomb costs nothing.
    /// - Parameter keepTruncated: return what inflated from data cut off before its
    ///   end (a crawler's size limit) instead of throwing `GzipError.truncated`.
    public static func decompress(_ input: [UInt8], limit: Int, keepTruncated: Bool = false) throws -> [UInt8] {
        var output: [UInt8] = []
        output.reserveCapacity(min(limit, max(input.count * 4, 4096)))
        var stream = z_stream()
        // 15 + 32: zlib or gzip header, detected automatically.
        var rc = inflateInit2_(&stream, 15 + 32, ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size))
        guard rc == Z_OK else { throw GzipError.corrupt("inflateInit failed") }
        defer { inflateEnd(&stream) }
        let chunk = 64 * 1024
        var buffer = [UInt8](repeating: 0, count: chunk)
        try input.withUnsafeBufferPointer { inBuf in
            var offset = 0
            stream.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
            stream.avail_in = UInt32(inBuf.count)
            while true {
                rc = buffer.withUnsafeMutableBufferPointer { out in
                    stream.next_out = out.baseAddress
                    stream.avail_out = UInt32(chunk)
                    return inflate(&stream, Z_NO_FLUSH)
                }
                let produced = chunk - Int(stream.avail_out)
                if output.count + produced > limit { throw GzipError.tooLarge(limit: limit) }
                output.append(contentsOf: buffer[0 ..< produced])
                switch rc {
                case Z_STREAM_END:
                    // Another member may follow (concatenated gzip files).
                    offset = inBuf.count - Int(stream.avail_in)
                    if stream.avail_in == 0 { return }
                    if inBuf[offset] != 0x1f { return } // trailing garbage: ignore, as gzip(1) does
                    guard inflateReset(&stream) == Z_OK else { throw GzipError.corrupt("reset failed") }
                case Z_OK:
                    continue
                case Z_BUF_ERROR:
                    if stream.avail_in == 0 {
                        if keepTruncated { return }
                        throw GzipError.truncated
                    }
                    continue
                case Z_DATA_ERROR:
                    let message = stream.msg.map { String(cString: $0) } ?? "data error"
                    throw GzipError.corrupt(message)
                default:
                    throw GzipError.corrupt("zlib error \(rc)")
                }
            }
        }
        return output
    }

    /// Compresses `input` as one gzip member (used to write test files).
    public static func compress(_ input: [UInt8], level: Int32 = Z_DEFAULT_COMPRESSION) -> [UInt8] {
        let stream = UnsafeMutablePointer<z_stream>.allocate(capacity: 1)
        stream.initialize(to: z_stream())
        defer { stream.deinitialize(count: 1); stream.deallocate() }
        // 15 + 16: write a gzip wrapper; 8: zlib's default memory level.
        guard deflateInit2_(stream, level, Z_DEFLATED, 15 + 16, 8, Z_DEFAULT_STRATEGY,
                            ZLIB_VERSION, Int32(MemoryLayout<z_stream>.size)) == Z_OK else {
            preconditionFailure("deflateInit2 failed: zlib is unusable")
        }
        defer { deflateEnd(stream) }
        var output = [UInt8](repeating: 0, count: Int(deflateBound(stream, UInt(input.count))) + 32)
        let written: Int = input.withUnsafeBufferPointer { inBuf in
            output.withUnsafeMutableBufferPointer { outBuf in
                stream.pointee.next_in = UnsafeMutablePointer(mutating: inBuf.baseAddress)
                stream.pointee.avail_in = UInt32(inBuf.count)
                stream.pointee.next_out = outBuf.baseAddress
                stream.pointee.avail_out = UInt32(outBuf.count)
                let rc = deflate(stream, Z_FINISH)
                precondition(rc == Z_STREAM_END, "deflate with a deflateBound-sized buffer returned \(rc)")
                return outBuf.count - Int(stream.pointee.avail_out)
            }
        }
        output.removeSubrange(written...)
        return output
    }
}
