#include "celltrial/cli/cli.hpp"

#include <iostream>
#include <map>

#include "celltrial/cli/commands.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial {
extern const char* const kDefaultScenarioText;
}

namespace celltrial {

namespace cli {
std::atomic<bool>& stop_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

const char* default_scenario_text() { return kDefaultScenarioText; }

Scenario load(const std::string& path, const std::vector<std::string>& overrides) {
  if (path.empty()) return load_scenario_text(default_scenario_text(), kDefaultScenarioName, overrides);
  return load_scenario_file(path, overrides);
}
}  // namespace cli

void request_stop() noexcept { cli::stop_flag().store(true); }

namespace {
const char* kExitCodes =
    "Exit codes:\n"
    "  0    success\n"
    "  64   usage: a bad command line (unknown option, value out of range)\n"
    "  65   data: a scenario has problems (every problem is listed)\n"
    "  66   no input: a file does not exist or cannot be read\n"
    "  70   internal error (a bug; please report it with the scenario and command)\n"
    "  74   I/O: results cannot be written (nothing already there is lost)\n"
    "  130  interrupted (Ctrl-C); no results folder is written (finished trials stay in a checkpoint and the same\n"
    "       command resumes)\n";
}

int run_cli(int argc, const char* const* argv, std::ostream& out, std::ostream& err) {
  try {
    CLI::App app{"celltrial: simulation and design of phase 3 trials of cell therapies for cerebral palsy"};
    app.footer(kExitCodes);
    app.set_version_flag("--version", std::string("celltrial ") + build::version + " (commit " + build::git_commit + ")");
    app.require_subcommand(1);
    cli::Streams io{out, err};
    std::map<CLI::App*, cli::Action> actions;
    auto reg = [&](cli::Action (*add)(CLI::App&, cli::Streams)) {
      const std::size_t before = app.get_subcommands({}).size();
      cli::Action a = add(app, io);
      actions[app.get_subcommands({})[before]] = std::move(a);
    };
    reg(&cli::add_simulate);
    reg(&cli::add_validate);
    reg(&cli::add_show);
    reg(&cli::add_power);
    reg(&cli::add_sweep);
    reg(&cli::add_merge);
    reg(&cli::add_slurm);
    reg(&cli::add_report);
    reg(&cli::add_study);
    try {
      app.parse(argc, argv);
    } catch (const CLI::Success& e) {
      return app.exit(e, out, err);
    } catch (const CLI::ParseError& e) {
      err << "celltrial: error: " << e.what() << "\n";
      std::string sub;
      for (auto* s : app.get_subcommands()) sub = s->get_name();
      err << "Run 'celltrial " << (sub.empty() ? "" : sub + " ") << "--help' for the options.\n";
      return static_cast<int>(ExitCode::usage);
    }
    for (auto* s : app.get_subcommands())
      if (actions.count(s)) return actions[s]();
    return static_cast<int>(ExitCode::usage);
  } catch (const Error& e) {
    for (const auto& d : e.diagnostics()) err << d.str() << "\n";
    return static_cast<int>(e.code());
  } catch (const std::bad_alloc&) {
    err << "celltrial: error: out of memory (try fewer trials per run or a smaller sample size)\n";
    return static_cast<int>(ExitCode::software);
  } catch (const std::exception& e) {
    err << "celltrial: internal error: " << e.what() << " (this is a bug; please report it)\n";
    return static_cast<int>(ExitCode::software);
  }
}

}  // namespace celltrial
