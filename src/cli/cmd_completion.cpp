// celltrial completion bash|zsh : the shell completion script, from the commands' own definitions.
#include <ostream>

#include "celltrial/cli/commands.hpp"
#include "celltrial/cli/completion.hpp"

namespace celltrial::cli {

Action add_completion(CLI::App& app, Streams io) {
  auto* cmd = app.add_subcommand(
      "completion",
      "Print the shell completion script (commands, options, scenario files, key paths after --set and --sweep): "
      "source <(celltrial completion bash), or install it (the Debian package does)");
  auto shell = std::make_shared<std::string>();
  cmd->add_option("shell", *shell, "bash or zsh")->required()->check(CLI::IsMember({"bash", "zsh"}));
  const CLI::App* root = &app;
  return [=]() {
    io.out << completion_script(*root, *shell == "bash" ? Shell::bash : Shell::zsh);
    return 0;
  };
}

}  // namespace celltrial::cli
