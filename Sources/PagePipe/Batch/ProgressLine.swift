import Foundation

/// A progress line on stderr, redrawn at most ten times a second.
final class ProgressLine {
    let total: Int
    let start = monotonicTime()
    var lastDraw = 0.0

    init(total: Int) { self.total = total }

    func update(done: Int) {
        let now = monotonicTime()
        guard now - lastDraw >= 0.1 || done == total else { return }
        lastDraw = now
        let elapsed = now - start
        let rate = elapsed > 0 ? Double(done) / elapsed : 0
        let eta = rate > 0 ? Double(total - done) / rate : 0
        let line = "\r\u{1B}[K\(done)/\(total) pages  " + String(format: "%.1f", rate) + " pages/s  ETA " + Self.duration(eta)
        FileHandle.standardError.write(Data(line.utf8))
    }

    func finish() {
        FileHandle.standardError.write(Data("\r\u{1B}[K".utf8))
    }

    static func duration(_ s: Double) -> String {
        let t = Int(s.rounded())
        if t >= 3600 { return String(format: "%dh%02dm", t / 3600, t % 3600 / 60) }
        if t >= 60 { return String(format: "%dm%02ds", t / 60, t % 60) }
        return "\(t)s"
    }
}
