import MuxServerKit
#if canImport(Glibc)
import Glibc
#endif

exit(ServerCommand.main(Array(CommandLine.arguments.dropFirst())))
