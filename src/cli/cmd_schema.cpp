// celltrial schema [--markdown] : the scenario schema, generated from its declarations.
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/scenario/schema_export.hpp"

namespace celltrial::cli {

Action add_schema(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand("schema",
                                 "Print the JSON Schema of scenario files (for editors; docs/scenario.schema.json), or "
                                 "with --markdown the reference tables of docs/scenario.md");
  auto markdown = std::make_shared<bool>(false);
  cmd->add_flag("--markdown", *markdown, "Print the reference tables (Markdown) instead of the JSON Schema");
  return [=]() {
    io.out << (*markdown ? schema::reference_markdown() : schema::json_schema_text());
    return 0;
  };
}

}  // namespace celltrial::cli
