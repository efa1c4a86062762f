// celltrial show [SCENARIO] : the fully resolved scenario as YAML.
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/scenario/io.hpp"

namespace celltrial::cli {

Action add_show(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand("show",
                                 "Print the fully resolved scenario (every default filled in) as YAML that loads back "
                                 "to the same scenario");
  auto file = std::make_shared<std::string>();
  auto sets = std::make_shared<std::vector<std::string>>();
  cmd->add_option("scenario", *file, "Scenario YAML file (default: the built-in scenarios/default.yaml)");
  cmd->add_option("--set", *sets, "Override a value, e.g. --set analysis.alpha=0.025 (repeatable)");
  return [=]() {
    const Scenario s = load(*file, *sets);
    io.out << "# Fully resolved scenario from " << (file->empty() ? kDefaultScenarioName : *file) << "\n"
           << "# Comments give each value's origin: the file line or --set that set it, or the source of its\n"
           << "# default (details: docs/scenario.md).\n"
           << to_yaml_with_sources(s);
    return 0;
  };
}

}  // namespace celltrial::cli
