// Fuzz target: a results folder's summary.json, as `celltrial report` and the R package read it
// back. The input is written as summary.json into a folder of this process and reported on
// (html_report): the report is written, or the folder is refused with a celltrial::Error of kind
// data. A summary.json that reads (operating_characteristics_from_json) also gives the terminal
// table and summary.csv, and written again (to_json) it reads back to the same JSON.
#include <cstddef>
#include <cstdint>
#include <filesystem>
#include <fstream>
#include <string>

#include "celltrial/design/operating_characteristics.hpp"
#include "celltrial/report/html.hpp"
#include "celltrial/report/summary.hpp"
#include "fuzz_support.hpp"


extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace celltrial;
  const std::string text(reinterpret_cast<const char*>(data), size);
  std::ofstream(fuzz::process_folder("summary") / "summary.json", std::ios::binary) << text;
  std::string html;
  try {
    html = html_report(fuzz::process_folder("summary").string());
  } catch (const Error& e) {
    fuzz::expect_user_error(e, {ExitCode::data});
    return 0;
  }
  if (html.find("</html>") == std::string::npos) fuzz::bug("a report without its end");
  // It reported, so it reads as typed characteristics: the table, the CSV, and a stable round trip.
  OperatingCharacteristics oc;
  try {
    oc = operating_characteristics_from_json(nlohmann::json::parse(text), "summary.json");
  } catch (const std::exception& e) {
    fuzz::bug(std::string("a summary.json the report read does not read again: ") + e.what());
  }
  if (summary_table(oc).empty()) fuzz::bug("an empty terminal table");
  if (summary_csv(oc).find('\n') == std::string::npos) fuzz::bug("a summary.csv without rows");
  const nlohmann::json once = to_json(oc);
  if (to_json(operating_characteristics_from_json(once, "summary.json")) != once)
    fuzz::bug("summary.json written from what it read does not read back the same");
  return 0;
}
