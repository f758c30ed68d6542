// The MuxBench checkout an executable was built in, and whether a product in it is current:
// missing, older than a source it is built from, or fresh. Found by walking up from the
// executable to the folder with MuxBench's Package.swift; the configuration (debug/release) and
// the scratch path are the ones the executable itself was built with.
import Foundation
import MuxCLI
import MuxCore
#if canImport(Glibc)
import Glibc
#endif

public enum Freshness: Equatable, Sendable {
    case missing
    case stale(newerSource: String)
    case fresh
}

public struct PackageBuild: Sendable {
    public var root: String
    public var scratchPath: String
    public var configuration: String
    /// Where the products are: SCRATCH/TRIPLE/CONFIGURATION.
    public var productsDirectory: String

    /// nil when `executable` is not in a MuxBench build folder (copied elsewhere, say).
    public static func locate(executable: String) -> PackageBuild? {
        let productsDirectory = (executable as NSString).deletingLastPathComponent
        let configuration = (productsDirectory as NSString).lastPathComponent
        guard configuration == "debug" || configuration == "release" else { return nil }
        var child = productsDirectory
        var folder = (productsDirectory as NSString).deletingLastPathComponent
        while folder != "/" && !folder.isEmpty {
            let manifest = "\(folder)/Package.swift"
            if let text = try? String(contentsOfFile: manifest, encoding: .utf8) {
                guard text.contains("name: \"MuxBench\"") else { return nil }
                return PackageBuild(root: folder, scratchPath: child, configuration: configuration,
                                    productsDirectory: productsDirectory)
            }
            child = folder
            folder = (folder as NSString).deletingLastPathComponent
        }
        return nil
    }

    public func binary(_ product: String) -> String { "\(productsDirectory)/\(product)" }

    func relative(_ path: String) -> String {
        path.hasPrefix(root + "/") ? String(path.dropFirst(root.count + 1)) : path
    }

    /// Where a successful `swift build` of a product that left its binary untouched is recorded:
    /// the build system judged it current at that moment, so its sources up to then are covered.
    func confirmationStamp(_ product: String) -> String { "\(productsDirectory)/\(product).product/mux-bench-confirmed" }

    /// Missing, stale (a source it is built from changed after it), or fresh.
    public func freshness(of product: String) -> Freshness {
        let path = binary(product)
        guard FileManager.default.isExecutableFile(atPath: path), var built = modificationTime(path) else { return .missing }
        if let confirmed = modificationTime(confirmationStamp(product)), isEarlier(built, confirmed) { built = confirmed }
        for source in sources(of: product) {
            if let changed = modificationTime(source), isEarlier(built, changed) { return .stale(newerSource: source) }
        }
        return .fresh
    }

    /// The files of the targets the product links (SwiftPM's link list names their object
    /// folders); without that list, every file under Sources/ and Package.swift. Package.swift is
    /// left out when the list is there: an edit that matters to the product (a dependency, a flag)
    /// changes what is compiled and relinks it, and one that does not (another target added) must
    /// not make it look stale forever — under `swift test`, which holds the build folder, it could
    /// not even be confirmed.
    func sources(of product: String) -> [String] {
        var folders: [String] = []
        var files: [String] = []
        let linkList = "\(productsDirectory)/\(product).product/Objects.LinkFileList"
        if let text = try? String(contentsOfFile: linkList, encoding: .utf8) {
            var targets: [String] = []
            for line in text.split(separator: "\n") {
                let object = line.trimmingCharacters(in: CharacterSet(charactersIn: "\"' "))
                let folder = ((object as NSString).deletingLastPathComponent as NSString).lastPathComponent
                if folder.hasSuffix(".build") {
                    let target = String(folder.dropLast(".build".count))
                    if !targets.contains(target) { targets.append(target) }
                }
            }
            // Object folders carry the module name (mux_server for Sources/mux-server).
            let sourceFolders = (try? FileManager.default.contentsOfDirectory(atPath: "\(root)/Sources")) ?? []
            let byModule = Dictionary(sourceFolders.map { ($0.replacingOccurrences(of: "-", with: "_"), $0) },
                                      uniquingKeysWith: { first, _ in first })
            let found = targets.compactMap { byModule[$0] }
            folders = !targets.isEmpty && found.count == targets.count
                ? found.map { "\(root)/Sources/\($0)" } : ["\(root)/Sources"]
        } else {
            folders = ["\(root)/Sources"]
        }
        if folders == ["\(root)/Sources"] { files.append("\(root)/Package.swift") }
        for folder in folders {
            guard let walker = FileManager.default.enumerator(atPath: folder) else { continue }
            // Files only: a folder's time changes when an editor saves beside it, its files' do not.
            while let name = walker.nextObject() as? String {
                if walker.fileAttributes?[.type] as? FileAttributeType != .typeDirectory { files.append("\(folder)/\(name)") }
            }
        }
        return files
    }

    /// `swift build -c CONFIG --scratch-path SCRATCH --product PRODUCT` with one progress line;
    /// the build's own output only when it fails.
    func build(_ product: String, because reason: String) throws(BinariesError) {
        let started = Date()
        guard let swift = executableInPath("swift") else {
            throw BinariesError("\(binary(product)) is \(reason) and `swift` is not in PATH to build it")
        }
        let arguments = ["build", "-c", configuration, "--package-path", root, "--scratch-path", scratchPath,
                         "--product", product]
        printError("building \(product) (\(reason)): swift \(arguments.joined(separator: " "))")
        let process: Subprocess
        do { process = try Subprocess(name: "swift build", executable: swift, arguments: arguments) } catch {
            throw BinariesError("cannot start swift build for \(product): \(error)")
        }
        var output: [String] = []
        // Builds of a fresh checkout take minutes on a busy machine; an hour means something is wrong.
        let deadline = monotonicNanoseconds() + 3_600_000_000_000
        while true {
            if let line = process.readLine(until: monotonicNanoseconds() + 500_000_000, shouldStop: { Interruption.requested }) {
                output.append(line)
                continue
            }
            if !process.isRunning { break }
            // Another SwiftPM (a `swift test` that started us, say) holds the scratch folder: waiting would hang.
            if process.standardError().contains("Another instance of SwiftPM") {
                process.stop(grace: 2)
                throw BinariesError("\(binary(product)) is \(reason), and SwiftPM is busy with \(scratchPath); "
                                    + "run `swift build -c \(configuration)` when it is done, then again")
            }
            if Interruption.requested || monotonicNanoseconds() > deadline {
                process.stop(grace: 2)
                throw BinariesError("building \(product) was interrupted")
            }
        }
        let status = process.stop()
        guard status == 0 else {
            let said = (output + process.standardError().split(separator: "\n").map(String.init))
                .filter { $0.contains("error") }.prefix(5).joined(separator: " | ")
            throw BinariesError("swift build --product \(product) failed (status \(status >> 8)): \(said)")
        }
        guard freshness(of: product) != .missing else {
            throw BinariesError("swift build --product \(product) succeeded but \(binary(product)) is not there")
        }
        // A build that did not relink it found it current: remember that from when it started.
        let stamp = confirmationStamp(product)
        _ = FileManager.default.createFile(atPath: stamp, contents: nil)
        var times = [timespec(tv_sec: Int(started.timeIntervalSince1970), tv_nsec: 0),
                     timespec(tv_sec: Int(started.timeIntervalSince1970), tv_nsec: 0)]
        _ = utimensat(AT_FDCWD, stamp, &times, 0)
        printError("built \(product) in \(Int(Date().timeIntervalSince(started))) s")
    }
}
