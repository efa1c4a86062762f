// celltrial validate SCENARIO... : check files, list every problem.
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/services/validate.hpp"

namespace celltrial::cli {

Action add_validate(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand("validate", "Check scenario files and list every problem (exit 0 only if all pass)");
  auto files = std::make_shared<std::vector<std::string>>();
  auto sets = std::make_shared<std::vector<std::string>>();
  cmd->add_option("scenarios", *files, "Scenario YAML files")->required();
  cmd->add_option("--set", *sets, "Override a value, e.g. --set analysis.alpha=0.025 (repeatable)");
  return [=]() {
    int worst = 0;
    for (const auto& f : *files) {
      try {
        const Scenario s = services::validate({f, "", *sets});
        io.out << f << ": ok (" << s.name << ")\n";
      } catch (const Error& e) {
        for (const auto& d : e.diagnostics()) io.err << d.str() << "\n";
        io.out << f << ": " << e.diagnostics().size() << " problem(s)\n";
        // Bad content outranks a missing file in the exit code.
        const int code = static_cast<int>(e.code());
        if (worst == 0 || code == static_cast<int>(ExitCode::data)) worst = code;
      }
    }
    return worst;
  };
}

}  // namespace celltrial::cli
