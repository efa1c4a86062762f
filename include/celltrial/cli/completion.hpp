#pragma once
// Shell completion scripts generated from the command line's own definitions (the CLI11 app with
// every command registered) and the scenario's declared keys: commands, their options, scenario
// files (or the data file or results folder a command takes), and key paths after --set/--sweep.
#include <string>

#include <CLI/CLI.hpp>

namespace celltrial::cli {

enum class Shell { bash, zsh };

/// The completion script for `shell` (source it, or install it where the shell looks).
std::string completion_script(const CLI::App& app, Shell shell);

}  // namespace celltrial::cli
