import ArgumentParser
import PagePipe

/// `pagepipe --version`: the version, then one line per shipped model file
/// with its SHA-256, size and the path the lookup resolved, so two machines
/// can tell whether they run the same models. Exits 2 when no model file is
/// found (the message lists the places searched), like any stage would.
func printVersion() throws {
    print("pagepipe \(PagePipeVersion.string)")
    let places = Resources.searchPath()
    let sums: [Resources.Checksum]
    do {
        sums = try Resources.checksums(places: places)
    } catch {
        printError("pagepipe: \(error)")
        throw ExitCode(ExitStatus.configuration)
    }
    guard !sums.isEmpty else {
        printError("pagepipe: no model files found (searched: \(places.joined(separator: ", ")); set PAGEPIPE_DATA to the folder that holds them)")
        throw ExitCode(ExitStatus.configuration)
    }
    for sum in sums {
        print("sha256:\(sum.sha256)  \(sum.name)  \(sum.size) bytes  \(sum.path)")
    }
}
