#include "celltrial/cli/cli.hpp"

#include <algorithm>
#include <cctype>
#include <iostream>
#include <map>

#include "celltrial/cli/commands.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/scenario/io.hpp"
#include "celltrial/version_info.hpp"

namespace celltrial {

namespace cli {
std::atomic<bool>& stop_flag() {
  static std::atomic<bool> flag{false};
  return flag;
}

}  // namespace cli

void request_stop() noexcept { cli::stop_flag().store(true); }

namespace {
const char* kExitCodes =
    "Exit codes:\n"
    "  0    success\n"
    "  64   usage: a bad command line (unknown option, value out of range)\n"
    "  65   data: a scenario or data file has problems (every problem is listed), or the model cannot be fitted to the\n"
    "       data (analyse)\n"
    "  66   no input: a file does not exist or cannot be read\n"
    "  70   internal error (a bug; please report it with the scenario and command)\n"
    "  74   I/O: results cannot be written (nothing already there is lost)\n"
    "  130  interrupted (Ctrl-C); no results folder is written (finished trials stay in a checkpoint and the same\n"
    "       command resumes)\n";
}

namespace {
// For a command line the parser refused: a message per unknown command or option with the closest
// known one ("did you mean ...?"), or nothing when every word is known (the parser's own message
// is shown then).
std::string usage_hints(CLI::App& app, CLI::App* sub, int argc, const char* const* argv) {
  auto names_of = [](const CLI::App& a, std::vector<std::string>& names) {
    for (const CLI::Option* o : a.get_options()) {
      for (const auto& l : o->get_lnames()) names.push_back("--" + l);
      for (const auto& n : o->get_snames()) names.push_back("-" + n);
    }
  };
  std::vector<std::string> names;
  names_of(app, names);
  if (sub == nullptr) {
    std::vector<std::string> commands;
    std::string list;
    for (const auto* c : app.get_subcommands({})) {
      commands.push_back(c->get_name());
      list += (list.empty() ? "" : ", ") + c->get_name();
    }
    // The first word that is neither an option of celltrial itself nor a command's name.
    for (int i = 1; i < argc; ++i) {
      const std::string w = argv[i];
      if (w == "--") break;
      if (std::find(names.begin(), names.end(), w.substr(0, w.find('='))) != names.end()) continue;
      if (!w.empty() && w[0] == '-')
        return "celltrial: error: '" + w + "' comes before any command: write the command first, e.g. 'celltrial simulate " +
               w + "'. (commands: " + list + ")\n";
      if (std::find(commands.begin(), commands.end(), w) != commands.end()) return "";
      const std::string guess = closest_match(w, commands);
      return "celltrial: error: '" + w + "' is not a command." + (guess.empty() ? "" : " Did you mean '" + guess + "'?") +
             " (commands: " + list + ")\n";
    }
    return "";
  }
  names_of(*sub, names);
  std::string hints;
  for (int i = 1; i < argc; ++i) {
    std::string w = argv[i];
    if (w == "--") break;  // what follows is not options
    if (w.size() < 2 || w[0] != '-') continue;
    if (w[1] != '-' && (std::isdigit(static_cast<unsigned char>(w[1])) || w[1] == '.')) continue;  // a negative number
    w = w.substr(0, w.find('='));
    if (std::find(names.begin(), names.end(), w) != names.end()) continue;
    if (w[1] != '-' && w.size() > 2) continue;  // -q2 style: short flags with a value
    // Single letters are too short to guess from.
    const std::string guess = w[1] == '-' ? closest_match(w, names) : std::string();
    hints += "celltrial: error: unknown option '" + w + "' for 'celltrial " + sub->get_name() + "'." +
             (guess.empty() ? "" : " Did you mean '" + guess + "'?") + "\n";
  }
  return hints;
}
}  // namespace

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
    reg(&cli::add_schema);
    reg(&cli::add_power);
    reg(&cli::add_boundaries);
    reg(&cli::add_sweep);
    reg(&cli::add_merge);
    reg(&cli::add_slurm);
    reg(&cli::add_report);
    reg(&cli::add_study);
    reg(&cli::add_analyse);
    reg(&cli::add_completion);
    try {
      app.parse(argc, argv);
    } catch (const CLI::Success& e) {
      return app.exit(e, out, err);
    } catch (const CLI::ParseError& e) {
      CLI::App* chosen = nullptr;
      for (auto* s : app.get_subcommands()) chosen = s;
      const std::string hints = usage_hints(app, chosen, argc, argv);
      err << (hints.empty() ? "celltrial: error: " + std::string(e.what()) + "\n" : hints);
      err << "Run 'celltrial " << (chosen == nullptr ? "" : chosen->get_name() + " ") << "--help' for the options.\n";
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
