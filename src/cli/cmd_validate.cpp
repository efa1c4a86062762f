// celltrial validate SCENARIO... : check files, list every problem.
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/core/error.hpp"
#include "celltrial/design/study.hpp"
#include "celltrial/design/sweep.hpp"
#include "celltrial/model/model.hpp"
#include "celltrial/scenario/io.hpp"

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
        const Scenario s = load_scenario_file(f, *sets);
        // The variants the study and sweep commands would load: enrichment strategies, tornado
        // settings and sweep grid points (each names itself in its error).
        const auto loader = file_loader(f, *sets);
        load_variants(loader, *sets, enrichment_variants(s.enrichment));
        if (!s.tornado.vary.empty()) load_variants(loader, *sets, tornado_variants(s.tornado));
        std::vector<SweepAxis> axes;
        for (const auto& [k, v] : s.sweep.vary) axes.push_back(SweepAxis{k, v});
        if (!axes.empty()) load_variants(loader, *sets, sweep_variants(sweep_grid(axes, s.sweep.zip)));
        // What simulate sets up before its first trial: the model refuses eligibility limits that no
        // child (or fewer than 1 in 10,000 screened) meets, which only screening children shows.
        (void)Model(s);
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
