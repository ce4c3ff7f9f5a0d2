#pragma once

// Private helpers around yaml-cpp: parsing with located errors, typed reads
// of mapping keys, and YAML-to-term conversion. yaml-cpp's exceptions stop here.

#include <optional>
#include <string>
#include <vector>

#include <yaml-cpp/yaml.h>

#include "relc/release/diagnostics.hpp"
#include "relc/runtime/term.hpp"
#include "relc/release/names.hpp"

namespace relc::release {

/// Parses a YAML file; a missing file or syntax error is reported and nullopt
/// returned.
std::optional<YAML::Node> parse_yaml_file(const std::string& path,
                                          diagnostics& diags);

/// Where `node` starts in `file`.
source_location location_of(const std::string& file, const YAML::Node& node);

/// A short description of what a node holds, for "found ..." messages.
std::string describe(const YAML::Node& node);

/// Converts a YAML value into a term: plain scalars are typed (null, bool,
/// integer, real), quoted scalars stay strings.
term to_term(const YAML::Node& node);

/// Reads the keys of one YAML mapping and reports each problem with its
/// location, the key and what was expected.
class mapping_reader {
public:
  mapping_reader(std::string file, YAML::Node node, diagnostics& diags,
                 std::string context);

  const YAML::Node& node() const { return node_; }
  const std::string& file() const { return file_; }
  diagnostics& diags() { return diags_; }

  /// The node under `key`, or an undefined node.
  YAML::Node get(const std::string& key) const;

  /// Location of `key`'s value, or of the mapping when absent.
  source_location where(const std::string& key) const;

  /// Reports a missing required key.
  void missing(const std::string& key);

  /// Reports `key` holding the wrong kind of value.
  void wrong(const std::string& key, const YAML::Node& value,
             const std::string& expected);

  std::optional<std::string> string(const std::string& key, bool required);
  std::optional<std::string> name(const std::string& key, bool required);
  std::optional<std::vector<std::string>> name_list(const std::string& key);
  std::optional<bool> boolean(const std::string& key);
  std::optional<int64_t> integer(const std::string& key);

  /// Warns about every key not in `known`.
  void warn_unknown(const std::vector<std::string>& known);

private:
  std::string file_;
  YAML::Node node_;
  diagnostics& diags_;
  std::string context_;
};

} // namespace relc::release
