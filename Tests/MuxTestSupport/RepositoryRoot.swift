// Where the checkout the tests were built from lives, found by walking up rather than by a fixed
// folder depth, so test files may move between folders of their target.
import Foundation

/// The nearest directory above this file that holds Package.swift.
public let repositoryRoot: String = {
    var directory = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
    while directory.path != "/",
          !FileManager.default.fileExists(atPath: directory.appendingPathComponent("Package.swift").path) {
        directory = directory.deletingLastPathComponent()
    }
    return directory.path
}()
