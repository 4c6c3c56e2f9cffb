import ArgumentParser
import Foundation
import PagePipe

/// `pagepipe-dev warc-stats FILE...`: reads WARC files as a run would and
/// prints what they hold (records, HTML pages, skip reasons) and the reading
/// speed, the benchmark for WARC input.
struct WARCStats: ParsableCommand {
    static let configuration = CommandConfiguration(
        commandName: "warc-stats",
        abstract: "Count the records and HTML pages of WARC files (.warc, .warc.gz) and time the reading.")

    @Argument(help: "WARC files.")
    var files: [String]

    func run() throws {
        var totalRecords = 0, totalPages = 0, htmlBytes = 0
        var skipped: [String: Int] = [:]
        var fileBytes: Int64 = 0
        var failures = 0
        let start = Date()
        for file in files {
            let reader = try WARCReader(path: file)
            do {
                while let page = try reader.nextPage() { htmlBytes += page.html.count }
            } catch let error as WARCError {
                failures += 1
                print("\(file): \(error)")
            }
            totalRecords += reader.records
            totalPages += reader.pages
            skipped.merge(reader.skipped, uniquingKeysWith: +)
            fileBytes += Int64((try? FileManager.default.attributesOfItem(atPath: file)[.size] as? NSNumber)??.int64Value ?? 0)
        }
        let seconds = Date().timeIntervalSince(start)
        print("files: \(files.count) (\(failures) stopped by an error), records: \(totalRecords), HTML pages: \(totalPages)")
        print("skipped: " + skipped.sorted { $0.key < $1.key }.map { "\($0.key) \($0.value)" }.joined(separator: ", "))
        let mb = Double(fileBytes) / 1e6
        print(String(format: "%.1f MB of files, %.1f MB of HTML in %.2f s: %.0f MB/s of files, %.0f pages/s",
                     mb, Double(htmlBytes) / 1e6, seconds, mb / seconds, Double(totalPages) / seconds))
    }
}
