// Replays inputs through a fuzz target without libFuzzer (any compiler): calls
// LLVMFuzzerTestOneInput once on every file in the folders (and files) named on the command line,
// in name order, skipping names that start with a dot. A bug in the target aborts the process;
// an exception that escapes the target, a missing folder or an input that runs longer than the
// time limit (--timeout SECONDS, default 60) exits 1, naming the input.
#include <unistd.h>

#include <algorithm>
#include <csignal>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <exception>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <string>
#include <vector>

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size);

namespace {
namespace fs = std::filesystem;

char current[4096] = "";

extern "C" void on_alarm(int) {
  static const char msg[] = "\nreplay: time limit exceeded (a hang?) on ";
  (void)!::write(2, msg, sizeof msg - 1);
  (void)!::write(2, current, std::char_traits<char>::length(current));
  (void)!::write(2, "\n", 1);
  std::_Exit(1);
}

std::vector<unsigned char> read_file(const fs::path& p) {
  std::ifstream in(p, std::ios::binary);
  return {std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>()};
}
}  // namespace

int main(int argc, char** argv) {
  unsigned timeout = 60;
  std::vector<fs::path> inputs;
  for (int i = 1; i < argc; ++i) {
    const std::string a = argv[i];
    if (a == "--timeout" && i + 1 < argc) {
      timeout = static_cast<unsigned>(std::stoul(argv[++i]));
      continue;
    }
    std::error_code ec;
    if (fs::is_directory(a, ec)) {
      std::vector<fs::path> here;
      for (const auto& e : fs::directory_iterator(a))
        if (e.is_regular_file() && e.path().filename().string().rfind('.', 0) != 0) here.push_back(e.path());
      std::sort(here.begin(), here.end());
      inputs.insert(inputs.end(), here.begin(), here.end());
    } else if (fs::is_regular_file(a, ec)) {
      inputs.emplace_back(a);
    } else {
      std::fprintf(stderr, "replay: no such file or folder: %s\n", a.c_str());
      return 1;
    }
  }
  std::signal(SIGALRM, on_alarm);
  for (const fs::path& p : inputs) {
    const std::string name = p.string();
    std::snprintf(current, sizeof current, "%s", name.c_str());
    std::fprintf(stderr, "replay: %s\n", name.c_str());
    const std::vector<unsigned char> bytes = read_file(p);
    ::alarm(timeout);
    try {
      LLVMFuzzerTestOneInput(bytes.data(), bytes.size());
    } catch (const std::exception& e) {
      std::fprintf(stderr, "replay: uncaught exception on %s: %s\n", name.c_str(), e.what());
      return 1;
    } catch (...) {
      std::fprintf(stderr, "replay: uncaught exception of unknown type on %s\n", name.c_str());
      return 1;
    }
    ::alarm(0);
  }
  std::fprintf(stderr, "replay: %zu input(s), all passed\n", inputs.size());
  return 0;
}
