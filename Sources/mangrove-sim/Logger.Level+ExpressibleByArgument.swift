import ArgumentParser
import Logging

/// `--log-level` takes a `Logger.Level`: a typo is refused by the parser with the list
/// of valid values instead of silently falling back to a default.
extension Logger.Level: @retroactive ExpressibleByArgument {}
