#pragma once
// Shard and checkpoint files carry a checksum over their content and a hash of their scenario, so
// almost every mutation of a real file is refused at the checksum. To reach the checks behind it,
// the partial and merge targets also read each input with both made to match (as a file edited
// by hand and re-checksummed would): the scenario hash recomputed from scenario_yaml and the
// checksum recomputed over the canonical text, exactly as partial_to_text writes them.
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "celltrial/engine/batch.hpp"

namespace celltrial::fuzz {

/// The text with its scenario hash and checksum made to match, or nothing when the text is not a
/// JSON object.
inline std::optional<std::string> with_valid_checksum(const std::string& text) {
  nlohmann::json j;
  try {
    j = nlohmann::json::parse(text);
  } catch (const nlohmann::json::exception&) {
    return std::nullopt;
  }
  if (!j.is_object()) return std::nullopt;
  if (j.contains("scenario") && j["scenario"].is_object() && j.contains("scenario_yaml") && j["scenario_yaml"].is_string())
    j["scenario"]["hash"] = hex64(hash_bytes(j["scenario_yaml"].get<std::string>()));
  j.erase("checksum");
  j["checksum"] = hex64(hash_bytes(j.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
  return j.dump(1, ' ', false, nlohmann::json::error_handler_t::replace) + "\n";
}

}  // namespace celltrial::fuzz
