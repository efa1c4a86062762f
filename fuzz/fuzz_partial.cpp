// Fuzz target: the shard and checkpoint file reader (celltrial merge, and the resume of a run).
// Every input either reads, or is refused with a celltrial::Error of kind data. The input is read
// as it is and again with its checksum made to match (partial_fixup.hpp). What reads must write
// out (partial_to_text) and read back to the same text.
#include <cstddef>
#include <cstdint>
#include <string>

#include "celltrial/engine/batch.hpp"
#include "fuzz_support.hpp"
#include "partial_fixup.hpp"

namespace {
void read_one(const std::string& text) {
  using namespace celltrial;
  PartialResult p;
  try {
    p = partial_from_text(text, "fuzz.json");
  } catch (const Error& e) {
    fuzz::expect_user_error(e, {ExitCode::data});
    return;
  }
  const std::string out = partial_to_text(p);
  PartialResult back;
  try {
    back = partial_from_text(out, "rewritten.json");
  } catch (const Error& e) {
    fuzz::bug(std::string("an accepted partial result, written out, does not read back:\n") + e.what() +
              "\n--- text ---\n" + out);
  }
  if (partial_to_text(back) != out) fuzz::bug("a partial result does not read back to the same text:\n" + out);
}
}  // namespace

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  const std::string text(reinterpret_cast<const char*>(data), size);
  read_one(text);
  if (const auto fixed = celltrial::fuzz::with_valid_checksum(text); fixed && *fixed != text) read_one(*fixed);
  return 0;
}
