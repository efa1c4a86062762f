#pragma once
// What is generated from the scenario declarations (scenario/schema.hpp): the JSON Schema that
// editors use, the reference tables of docs/scenario.md, and the list of every key with its type
// and metadata (for tests and tools).
#include <string>
#include <vector>

#include "celltrial/scenario/schema.hpp"

namespace celltrial::schema {

/// The JSON Schema (draft 2020-12) of scenario schema version 1, as indented JSON text.
std::string json_schema_text();

/// The fully resolved scenario as YAML, written by walking the declarations (every key whose
/// Meta::written holds for this scenario, in declaration order).
std::string declared_yaml(const Scenario& s);

/// The reference tables of docs/scenario.md (Markdown), one per section.
std::string reference_markdown();

/// A key's allowed range in words, e.g. "(0, 1]", "≥ 0" or "integer 1 to 100".
std::string range_text(const Meta& m, bool integer);

enum class KeyType {
  number, integer, text, choice, choices, numbers, texts, matrix, named, levels, by_month,
  section, list, choice_or_section, free_form
};
const char* to_string(KeyType);

/// One declared key: its path from the top ("population.cp.measurement_sd"; an element of a list
/// is written "arms[]"), its type, metadata, the names it allows (choice, levels, named), its
/// default as `celltrial show` would write it ("" when it has none) and the source of the default.
struct KeyInfo {
  std::string path;
  KeyType type = KeyType::number;
  Meta meta;
  std::vector<std::string> names;
  std::string default_value;
  const char* source = "";  ///< where the default comes from: its own Meta::source or its section's
};

/// Every declared key, in declaration order; sections and lists come before their keys.
const std::vector<KeyInfo>& declared_keys();

}  // namespace celltrial::schema
