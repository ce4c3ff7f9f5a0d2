#pragma once

#include <string>
#include <vector>

namespace relc::release {

/// A place in an input file; line and column are 1-based, 0 when unknown.
struct source_location {
  std::string file;
  int line = 0;
  int column = 0;

  /// `file:line:column`, leaving out what is unknown.
  std::string to_string() const;
};

enum class severity { note, warning, error };

/// One problem (or note) found while reading or checking a release.
struct diagnostic {
  severity level = severity::error;
  source_location where;
  std::string message;

  /// The one line a person sees: `relc: error: rel/x.rel:3:5: message`.
  std::string to_string() const;
};

/// Collects every problem of a run, so a user fixes them all in one round.
class diagnostics {
public:
  void error(source_location where, std::string message);
  void warning(source_location where, std::string message);
  void note(source_location where, std::string message);

  const std::vector<diagnostic>& items() const { return items_; }
  size_t error_count() const;
  size_t warning_count() const;
  bool has_errors() const { return error_count() > 0; }

  /// Turns every warning into an error (`--strict`).
  void promote_warnings();

  /// Appends every item of `other`.
  void append(const diagnostics& other);

private:
  std::vector<diagnostic> items_;
};

/// `text` with control characters escaped (a newline as `\n`): what every
/// diagnostic line goes through.
std::string one_line(const std::string& text);

} // namespace relc::release
